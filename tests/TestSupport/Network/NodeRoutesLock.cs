namespace TestSupport.Network;

/// <summary>
/// A machine-wide lock for a node's host routes. Every infraagent sets 169.254.1.1/32 and the pod ranges
/// on its host interface with replace semantics, so two agents of different test projects (which
/// dotnet test runs at once) would take each other's routes: whoever runs an agent holds this first.
/// </summary>
public sealed class NodeRoutesLock : IDisposable
{
    private const string LockFile = "/run/lock/k8sinfraoffload-node-routes.lock";
    private static readonly TimeSpan s_wait = TimeSpan.FromMinutes(10);
    private readonly FileStream _file;

    private NodeRoutesLock(FileStream file) => _file = file;

    /// <summary>Waits (bounded) until no other process holds the lock; .NET takes FileShare.None as an flock.</summary>
    public static async Task<NodeRoutesLock> AcquireAsync()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(LockFile)!); // a constant absolute path
        var deadline = DateTime.UtcNow + s_wait;
        while (true)
        {
            try
            {
                return new NodeRoutesLock(new FileStream(LockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
    }

    public void Dispose() => _file.Dispose();
}
