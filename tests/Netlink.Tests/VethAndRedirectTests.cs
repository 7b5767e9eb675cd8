using Packets;
using TestSupport.Network;
using Xunit;

namespace Netlink.Tests;

/// <summary>Veth pairs created with their peer inside a namespace, and tc ingress redirects between links.</summary>
[Collection(HostNetworkTests.Name)]
public sealed class VethAndRedirectTests
{
    private static readonly MacAddress PeerMac = MacAddress.Parse("02:42:0a:09:00:07");

    [Fact]
    public async Task AddVethPair_PeerInNewNamespace_ArrivesThereWithNameMacAndMtuAndBothEndsUp()
    {
        var name = HostCommands.UniqueName("nlv");
        var peer = HostCommands.UniqueName("nlq");
        await using var network = await NetworkNamespace.CreateAsync();
        try
        {
            using var target = NetworkNamespaceHandle.Open(PathOf(network));
            using var client = RouteNetlinkClient.Open();

            client.AddVethPair(name, peer, target, PeerMac, mtu: 1400, up: true);

            var host = client.GetLink(name);
            Assert.Equal("veth", host.Kind);
            Assert.Equal(1400, host.Mtu);
            Assert.True(host.IsUp);
            Assert.Null(client.FindLink(peer));
            Assert.False(await HostCommands.LinkExistsAsync(peer));
            using var inside = RouteNetlinkClient.OpenInNamespace(target);
            var end = inside.GetLink(peer);
            Assert.Equal(PeerMac, end.HardwareAddress);
            Assert.Equal(1400, end.Mtu);
            Assert.True(end.IsUp);
            Assert.Equal("veth", end.Kind);
            Assert.Equal(["lo", peer], inside.GetLinks().Select(l => l.Name).Order(StringComparer.Ordinal));
            var shown = await network.RunAsync("ip", "link", "show", "dev", peer);
            Assert.Contains("mtu 1400 ", shown, StringComparison.Ordinal);
            Assert.Matches("[<,]UP[,>]", shown);
            Assert.Contains("link/ether 02:42:0a:09:00:07", shown, StringComparison.Ordinal);
            Assert.Matches("[<,]UP[,>]", await HostCommands.RunAsync("ip", "link", "show", "dev", name));
        }
        finally
        {
            await HostCommands.DeleteLinkIfPresentAsync(name);
        }
    }

    [Fact]
    public async Task DeleteLinkGroup_TwoOfThreeVethsInTheGroup_DeletesThoseTwoAndTheirPeersOnly()
    {
        var names = Enumerable.Range(0, 3).Select(_ => HostCommands.UniqueName("nlg")).ToArray();
        var group = 0x4B370000u | (uint)(Environment.ProcessId & 0xFFFF);
        await using var network = await NetworkNamespace.CreateAsync();
        try
        {
            using var target = NetworkNamespaceHandle.Open(PathOf(network));
            using var client = RouteNetlinkClient.Open();
            for (var i = 0; i < names.Length; i++)
            {
                client.AddVethPair(names[i], "eth" + i, target, peerAddress: null, mtu: 0, up: false);
            }

            Assert.True(client.SetLinkGroup(names[0], group));
            Assert.True(client.SetLinkGroup(names[2], group));
            Assert.False(client.SetLinkGroup(HostCommands.UniqueName("nlx"), group));
            Assert.Contains($"group {group}", await HostCommands.RunAsync("ip", "-d", "link", "show", "dev", names[0]), StringComparison.Ordinal);

            Assert.True(client.DeleteLinkGroup(group));

            Assert.False(await HostCommands.LinkExistsAsync(names[0]));
            Assert.True(await HostCommands.LinkExistsAsync(names[1]));
            Assert.False(await HostCommands.LinkExistsAsync(names[2]));
            var left = await network.RunAsync("ip", "-o", "link", "show");
            Assert.Contains("eth1", left, StringComparison.Ordinal);
            Assert.DoesNotContain("eth0", left, StringComparison.Ordinal);
            Assert.DoesNotContain("eth2", left, StringComparison.Ordinal);
            Assert.False(client.DeleteLinkGroup(group));
        }
        finally
        {
            foreach (var name in names)
            {
                await HostCommands.DeleteLinkIfPresentAsync(name);
            }
        }
    }

    [Fact]
    public async Task AddVethPair_NameTakenOnEitherSide_ThrowsEexistNamingTheRequestAndCreatesNothing()
    {
        var name = HostCommands.UniqueName("nlv");
        var other = HostCommands.UniqueName("nlv");
        var peer = HostCommands.UniqueName("nlq");
        await using var network = await NetworkNamespace.CreateAsync();
        try
        {
            using var target = NetworkNamespaceHandle.Open(PathOf(network));
            using var client = RouteNetlinkClient.Open();
            client.AddVethPair(name, peer, target, peerAddress: null, mtu: 0, up: false);

            var hostTaken = Assert.Throws<NetlinkException>(() => client.AddVethPair(name, "peer1", target, PeerMac, mtu: 1400, up: true));
            var peerTaken = Assert.Throws<NetlinkException>(() => client.AddVethPair(other, peer, target, peerAddress: null, mtu: 0, up: false));

            Assert.Equal(ErrorNumbers.EEXIST, hostTaken.Errno);
            Assert.Equal($"RTM_NEWLINK dev {name} type veth peer peer1 netns {PathOf(network)} address 02:42:0a:09:00:07 mtu 1400 up", hostTaken.Operation);
            Assert.StartsWith($"RTM_NEWLINK dev {name} type veth peer peer1 ", hostTaken.Message, StringComparison.Ordinal);
            Assert.Equal(ErrorNumbers.EEXIST, peerTaken.Errno);
            Assert.Equal($"RTM_NEWLINK dev {other} type veth peer {peer} netns {PathOf(network)}", peerTaken.Operation);
            Assert.Null(client.FindLink(other));
            using var inside = RouteNetlinkClient.OpenInNamespace(target);
            Assert.Null(inside.FindLink("peer1"));
            Assert.Equal(["lo", peer], inside.GetLinks().Select(l => l.Name).Order(StringComparer.Ordinal));
        }
        finally
        {
            await HostCommands.DeleteLinkIfPresentAsync(name);
            await HostCommands.DeleteLinkIfPresentAsync(other);
        }
    }

    [Fact]
    public async Task DeleteLink_VethPairWithPeerInNamespace_RemovesBothEndsAndReturnsFalseTheSecondTime()
    {
        var name = HostCommands.UniqueName("nlv");
        var peer = HostCommands.UniqueName("nlq");
        await using var network = await NetworkNamespace.CreateAsync();
        try
        {
            using var target = NetworkNamespaceHandle.Open(PathOf(network));
            using var client = RouteNetlinkClient.Open();
            using var inside = RouteNetlinkClient.OpenInNamespace(target);
            client.AddVethPair(name, peer, target, peerAddress: null, mtu: 0, up: false);
            var end = inside.GetLink(peer);
            Assert.False(end.IsUp);
            Assert.False(client.GetLink(name).IsUp);
            Assert.Equal(1500, end.Mtu);

            Assert.True(client.DeleteLink(name));

            Assert.Null(client.FindLink(name));
            Assert.Null(inside.FindLink(peer));
            Assert.DoesNotContain(peer, await network.RunAsync("ip", "link", "show"), StringComparison.Ordinal);
            Assert.False(client.DeleteLink(name));
        }
        finally
        {
            await HostCommands.DeleteLinkIfPresentAsync(name);
        }
    }

    /// <summary>
    /// Namespaces A and B, each behind a veth pair whose other end (a0, b0) is in the process's namespace.
    /// a0 and b0 have no addresses: A reaches B only through the redirects a0 → b0 and b0 → a0.
    /// </summary>
    [Fact]
    public async Task RedirectIngress_BothWaysBetweenTwoVethPairs_CarriesAPingUntilDeleted()
    {
        var a0 = HostCommands.UniqueName("nlra");
        var b0 = HostCommands.UniqueName("nlrb");
        await using var a = await NetworkNamespace.CreateAsync();
        await using var b = await NetworkNamespace.CreateAsync();
        try
        {
            using var client = RouteNetlinkClient.Open();
            using (var targetA = NetworkNamespaceHandle.Open(PathOf(a)))
            using (var targetB = NetworkNamespaceHandle.Open(PathOf(b)))
            {
                client.AddVethPair(a0, "eth0", targetA, peerAddress: null, mtu: 0, up: true);
                client.AddVethPair(b0, "eth0", targetB, peerAddress: null, mtu: 0, up: true);
            }

            await a.RunAsync("ip", "addr", "add", "10.9.7.1/24", "dev", "eth0");
            await b.RunAsync("ip", "addr", "add", "10.9.7.2/24", "dev", "eth0");
            Assert.False(await PingsOnceAsync(a, "10.9.7.2"));

            client.RedirectIngress(a0, b0);
            client.RedirectIngress(b0, a0);

            Assert.True(await a.PingsAsync("10.9.7.2"));
            var filters = await HostCommands.RunAsync("tc", "filter", "show", "dev", a0, "ingress");
            Assert.Contains(" u32 ", filters, StringComparison.Ordinal);
            Assert.Contains("fh 800::800 ", filters, StringComparison.Ordinal);
            Assert.Contains($"mirred (Egress Redirect to device {b0})", filters, StringComparison.Ordinal);
            Assert.Contains("pref 1 ", filters, StringComparison.Ordinal);
            Assert.Contains("protocol all ", filters, StringComparison.Ordinal);
            Assert.Equal(b0, client.IngressRedirectTarget(a0));
            Assert.Equal(a0, client.IngressRedirectTarget(b0));

            Assert.True(client.DeleteIngressRedirect(a0));
            Assert.True(client.DeleteIngressRedirect(b0));

            Assert.False(await PingsOnceAsync(a, "10.9.7.2"));
            Assert.Empty((await HostCommands.RunAsync("tc", "filter", "show", "dev", a0, "ingress")).Trim());
            Assert.DoesNotContain("clsact", await HostCommands.RunAsync("tc", "qdisc", "show", "dev", a0), StringComparison.Ordinal);
            Assert.Null(client.IngressRedirectTarget(a0));
            Assert.False(client.DeleteIngressRedirect(a0));
        }
        finally
        {
            await HostCommands.DeleteLinkIfPresentAsync(a0);
            await HostCommands.DeleteLinkIfPresentAsync(b0);
        }
    }

    [Fact]
    public async Task RedirectIngress_AlreadyRedirectedOrUnknownTarget_FailsNamingTheFilter()
    {
        var name = HostCommands.UniqueName("nlv");
        var peer = HostCommands.UniqueName("nlq");
        var missing = HostCommands.UniqueName("nlx");
        try
        {
            await HostCommands.RunAsync("ip", "link", "add", name, "type", "veth", "peer", "name", peer);
            using var client = RouteNetlinkClient.Open();

            var unknown = Assert.Throws<NetlinkException>(() => client.RedirectIngress(name, missing));
            Assert.Equal(ErrorNumbers.ENODEV, unknown.Errno);
            Assert.Equal($"RTM_NEWTFILTER dev {name} ingress u32 mirred egress redirect dev {missing}", unknown.Operation);
            Assert.DoesNotContain("clsact", await HostCommands.RunAsync("tc", "qdisc", "show", "dev", name), StringComparison.Ordinal);

            client.RedirectIngress(name, peer);
            var twice = Assert.Throws<NetlinkException>(() => client.RedirectIngress(name, peer));
            Assert.Equal(ErrorNumbers.EEXIST, twice.Errno);
            Assert.Equal($"RTM_NEWTFILTER dev {name} ingress u32 mirred egress redirect dev {peer}", twice.Operation);
            Assert.Equal(peer, client.IngressRedirectTarget(name));

            // The target going away leaves the filter, which then redirects nowhere.
            await HostCommands.RunAsync("ip", "link", "add", missing, "type", "veth", "peer", "name", HostCommands.UniqueName("nlq"));
            Assert.True(client.DeleteIngressRedirect(name));
            client.RedirectIngress(name, missing);
            Assert.Equal(missing, client.IngressRedirectTarget(name));
            Assert.True(client.DeleteLink(missing));
            Assert.Null(client.IngressRedirectTarget(name));
        }
        finally
        {
            await HostCommands.DeleteLinkIfPresentAsync(name);
            await HostCommands.DeleteLinkIfPresentAsync(missing);
        }
    }

    [Fact]
    public async Task DeleteIngressRedirect_NoClsactOrNoLink_ReturnsFalse()
    {
        var name = HostCommands.UniqueName("nlv");
        var peer = HostCommands.UniqueName("nlq");
        try
        {
            await HostCommands.RunAsync("ip", "link", "add", name, "type", "veth", "peer", "name", peer);
            using var client = RouteNetlinkClient.Open();

            Assert.False(client.DeleteIngressRedirect(name));
            Assert.Null(client.IngressRedirectTarget(name));
            Assert.False(client.DeleteIngressRedirect(HostCommands.UniqueName("nlx")));
            Assert.Equal(ErrorNumbers.ENODEV, Assert.Throws<NetlinkException>(() => client.IngressRedirectTarget(HostCommands.UniqueName("nlx"))).Errno);

            // An ingress qdisc of another kind is not ours to delete.
            await HostCommands.RunAsync("tc", "qdisc", "add", "dev", name, "ingress");
            Assert.False(client.DeleteIngressRedirect(name));
            Assert.Contains("qdisc ingress ffff:", await HostCommands.RunAsync("tc", "qdisc", "show", "dev", name), StringComparison.Ordinal);
        }
        finally
        {
            await HostCommands.DeleteLinkIfPresentAsync(name);
        }
    }

    private static async Task<bool> PingsOnceAsync(NetworkNamespace network, string address) =>
        (await network.ExecAsync(TimeSpan.FromSeconds(5), "ping", "-c", "1", "-W", "1", address)).ExitCode == 0;

    private static string PathOf(NetworkNamespace network) => "/var/run/netns/" + network.Name;
}
