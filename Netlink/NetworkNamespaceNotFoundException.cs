namespace Netlink;

/// <summary>
/// The network namespace path does not exist (ENOENT): the pod's namespace is gone. The agent treats
/// this as success when releasing a pod, so it is kept apart from every other failure.
/// </summary>
public sealed class NetworkNamespaceNotFoundException : IOException
{
    public NetworkNamespaceNotFoundException()
    {
        Path = string.Empty;
    }

    public NetworkNamespaceNotFoundException(string path)
        : base($"network namespace {path} does not exist")
    {
        Path = path;
    }

    public NetworkNamespaceNotFoundException(string path, Exception innerException)
        : base($"network namespace {path} does not exist", innerException)
    {
        Path = path;
    }

    public string Path { get; }
}
