namespace TestSupport.Network;

/// <summary>A network namespace named <c>ns-XXXXXXXX</c>, deleted (with every interface in it) on dispose.</summary>
public sealed class NetworkNamespace : IAsyncDisposable
{
    private NetworkNamespace(string name)
    {
        Name = name;
    }

    public string Name { get; }

    public static async Task<NetworkNamespace> CreateAsync()
    {
        var name = HostCommands.UniqueName("ns-");
        await HostCommands.RunAsync("ip", "netns", "add", name);
        var created = new NetworkNamespace(name);
        try
        {
            await created.RunAsync("ip", "link", "set", "lo", "up");
            return created;
        }
        catch
        {
            await created.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs a command inside the namespace and fails unless it exits 0.</summary>
    public Task<string> RunAsync(params string[] command) => HostCommands.RunAsync("ip", ["netns", "exec", Name, .. command]);

    /// <summary>Runs a command inside the namespace, whatever its exit code, bounded by <paramref name="timeout"/>.</summary>
    public Task<ProcessResult> ExecAsync(TimeSpan timeout, params string[] command) =>
        ChildProcess.RunAsync("ip", ["netns", "exec", Name, .. command], timeout);

    /// <summary>Whether <paramref name="address"/> answers a ping from here within ten tries (the first may wait for ARP).</summary>
    public async Task<bool> PingsAsync(string address)
    {
        for (var attempt = 0; attempt < 10; attempt++)
        {
            if ((await ExecAsync(TimeSpan.FromSeconds(5), "ping", "-c", "1", "-W", "1", address)).ExitCode == 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Moves interface <paramref name="link"/> of the root namespace in here, addresses it and brings it up.</summary>
    public async Task AdoptAsync(string link, string addressWithPrefix)
    {
        await HostCommands.RunAsync("ip", "link", "set", "dev", link, "netns", Name);
        await RunAsync("ip", "addr", "add", addressWithPrefix, "dev", link);
        await RunAsync("ip", "link", "set", "dev", link, "up");
    }

    public async ValueTask DisposeAsync() =>
        await ChildProcess.RunAsync("ip", ["netns", "del", Name], HostCommands.Timeout);
}
