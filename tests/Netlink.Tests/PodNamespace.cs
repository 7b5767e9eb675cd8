using TestSupport.Network;

namespace Netlink.Tests;

/// <summary>
/// A test namespace and a veth pair created in the root namespace (<see cref="Link"/> and its peer
/// <see cref="Peer"/>), as a TAP waits in the root namespace before the agent moves it into a pod.
/// Dispose removes the namespace (and whatever link is in it) and the pair, wherever the test left them.
/// </summary>
internal sealed class PodNamespace : IAsyncDisposable
{
    private PodNamespace(NetworkNamespace network, string link, string peer)
    {
        Network = network;
        Link = link;
        Peer = peer;
    }

    public NetworkNamespace Network { get; }

    public string Path => "/var/run/netns/" + Network.Name;

    public string Link { get; }

    public string Peer { get; }

    public static async Task<PodNamespace> CreateAsync()
    {
        var network = await NetworkNamespace.CreateAsync();
        var link = HostCommands.UniqueName("nlt");
        var peer = HostCommands.UniqueName("nlp");
        try
        {
            await HostCommands.RunAsync("ip", "link", "add", link, "type", "veth", "peer", "name", peer);
            return new PodNamespace(network, link, peer);
        }
        catch
        {
            await HostCommands.DeleteLinkIfPresentAsync(link);
            await network.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs <c>ip</c> inside the namespace and returns what it printed.</summary>
    public Task<string> IpAsync(params string[] arguments) => Network.RunAsync(["ip", .. arguments]);

    public async ValueTask DisposeAsync()
    {
        await Network.DisposeAsync();
        await HostCommands.DeleteLinkIfPresentAsync(Link);
        await HostCommands.DeleteLinkIfPresentAsync(Peer);
    }
}
