using TestSupport.Network;
using Packets.Tests.Namespaces;

namespace Packets.Tests.Sockets;

/// <summary>
/// A veth pair: <see cref="Outer"/> up in the root namespace (no address), <see cref="Inner"/> in a
/// fresh namespace as 192.0.2.2/24. Deleting the namespace deletes both ends.
/// </summary>
internal sealed class VethPair : IAsyncDisposable
{
    public static readonly IPv4Address OuterIp = IPv4Address.Parse("192.0.2.1");
    public static readonly IPv4Address InnerIp = IPv4Address.Parse("192.0.2.2");

    private VethPair(NetworkNamespace ns, string outer, string inner)
    {
        Namespace = ns;
        Outer = outer;
        Inner = inner;
    }

    public NetworkNamespace Namespace { get; }

    public string Outer { get; }

    public string Inner { get; }

    public int OuterIndex => HostCommands.InterfaceIndex(Outer);

    public MacAddress OuterMac => MacAddress.Parse(File.ReadAllText($"/sys/class/net/{Outer}/address").Trim());

    public static async Task<VethPair> CreateAsync()
    {
        var ns = await NetworkNamespace.CreateAsync();
        var outer = HostCommands.UniqueName("pkv");
        var inner = HostCommands.UniqueName("pkw");
        try
        {
            await HostCommands.RunAsync("ip", "link", "add", outer, "type", "veth", "peer", "name", inner);
            await HostCommands.RunAsync("ip", "link", "set", "dev", outer, "up");
            await ns.AdoptAsync(inner, InnerIp + "/24");
            return new VethPair(ns, outer, inner);
        }
        catch
        {
            await HostCommands.DeleteLinkIfPresentAsync(outer);
            await ns.DisposeAsync();
            throw;
        }
    }

    public async Task<MacAddress> InnerMacAsync() =>
        MacAddress.Parse((await Namespace.RunAsync("cat", $"/sys/class/net/{Inner}/address")).Trim());

    public async ValueTask DisposeAsync()
    {
        await Namespace.DisposeAsync();
        await HostCommands.DeleteLinkIfPresentAsync(Outer);
    }
}
