using ArpProxy.Links;
using Packets;
using TestSupport.Network;
using Xunit;

namespace ArpProxy.Tests.Links;

/// <summary>The lookup in this process's (the root) namespace, on a veth made for the test: no address leaves it.</summary>
[Collection(HostNetworkTests.Name)]
public sealed class SystemLinkLookupTests
{
    private readonly SystemLinkLookup _lookup = new();

    [Fact]
    public void Find_NoSuchInterface_Missing() =>
        Assert.Equal(LinkState.Missing, _lookup.Find(HostCommands.UniqueName("apn")).State);

    [Fact]
    public async Task Find_VethThroughItsStates_ReportsEachWithIndexAndMac()
    {
        var name = HostCommands.UniqueName("apl");
        var peer = HostCommands.UniqueName("apm");
        await HostCommands.RunAsync("ip", "link", "add", name, "type", "veth", "peer", "name", peer);
        try
        {
            var index = HostCommands.InterfaceIndex(name);
            var mac = MacAddress.Parse(File.ReadAllText($"/sys/class/net/{name}/address").Trim());

            var down = _lookup.Find(name);
            Assert.Equal(new LinkStatus(LinkState.Down, name, index, mac, default), down);

            await HostCommands.RunAsync("ip", "link", "set", "dev", name, "up");
            await HostCommands.RunAsync("ip", "link", "set", "dev", peer, "up");
            // The kernel's link watcher sets operstate "up" a moment after the carrier (up to a second on a busy machine).
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
            while (_lookup.Find(name).State == LinkState.Down && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }

            Assert.Equal(LinkState.NoIPv4Address, _lookup.Find(name).State);

            // A /32 from TEST-NET-2 adds only a local route, and goes with the veth.
            await HostCommands.RunAsync("ip", "addr", "add", "198.51.100.77/32", "dev", name);
            Assert.Equal(new LinkStatus(LinkState.Ready, name, index, mac, IPv4Address.Parse("198.51.100.77")), _lookup.Find(name));
        }
        finally
        {
            await HostCommands.DeleteLinkIfPresentAsync(name);
        }
    }
}
