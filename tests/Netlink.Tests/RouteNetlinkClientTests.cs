using Packets;
using TestSupport;
using TestSupport.Network;
using Xunit;

namespace Netlink.Tests;

[Collection(HostNetworkTests.Name)]
public sealed class RouteNetlinkClientTests
{
    private const string PodInterface = "eth0";
    private static readonly IPv4Address ArpProxy = IPv4Address.Parse("169.254.1.1");
    private static readonly IPv4Prefix PodAddress = IPv4Prefix.Parse("10.244.0.6/32");
    private static readonly IPv4Route ArpProxyRoute = new(IPv4Prefix.Host(ArpProxy), PodInterface, Scope: RouteScope.Link);
    private static readonly IPv4Route DefaultRoute = new(IPv4Prefix.Default, PodInterface, ArpProxy);

    [Fact]
    public async Task PodSetup_VethMovedIntoNamespace_IpShowsEth0ConfiguredAsTheAgentDoes()
    {
        await using var pod = await PodNamespace.CreateAsync();
        var mac = await File.ReadAllTextAsync($"/sys/class/net/{pod.Link}/address");

        await ConfigurePodAsync(pod);

        Assert.False(await HostCommands.LinkExistsAsync(pod.Link));
        var link = await pod.IpAsync("link", "show", "dev", PodInterface);
        Assert.Contains("mtu 1280 ", link, StringComparison.Ordinal);
        Assert.Matches("[<,]UP[,>]", link);
        Assert.Contains("link/ether " + mac.Trim(), link, StringComparison.Ordinal);
        var addresses = await pod.IpAsync("-4", "addr", "show", "dev", PodInterface);
        Assert.Contains("inet 10.244.0.6/32 ", addresses, StringComparison.Ordinal);
        Assert.Single(Lines(addresses), line => line.StartsWith("inet ", StringComparison.Ordinal));
        var routes = Lines(await pod.IpAsync("-4", "route", "show"));
        Assert.Equal(["default via 169.254.1.1 dev eth0", "169.254.1.1 dev eth0 scope link"], routes);
    }

    [Fact]
    public async Task GetLinkGetAddressesGetRoutes_InsidePodNamespace_ReadBackTheConfiguration()
    {
        await using var pod = await PodNamespace.CreateAsync();
        var mac = MacAddress.Parse((await File.ReadAllTextAsync($"/sys/class/net/{pod.Link}/address")).Trim());
        await ConfigurePodAsync(pod);

        using var client = RouteNetlinkClient.OpenInNamespace(pod.Path);
        var eth0 = client.GetLink(PodInterface);
        var addresses = client.GetAddresses(PodInterface);
        var routes = client.GetRoutes();

        Assert.Equal(mac, eth0.HardwareAddress);
        Assert.Equal(1280, eth0.Mtu);
        Assert.True(eth0.IsUp);
        Assert.Equal("veth", eth0.Kind);
        Assert.Equal([new InterfaceAddress(PodAddress, eth0.Index, RouteScope.Universe)], addresses);
        Assert.Equal([DefaultRoute, ArpProxyRoute], routes.OrderBy(r => r.Destination.Length));
        Assert.Equal(["eth0", "lo"], client.GetLinks().Select(l => l.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task MoveToNamespace_ReleasedFromPodToProcessNamespace_ReturnsUnderItsTapName()
    {
        await using var pod = await PodNamespace.CreateAsync();
        var index = HostCommands.InterfaceIndex(pod.Link);
        await ConfigurePodAsync(pod);

        // ReleaseNetwork reads the pod's address, ReleasePodInterface moves the interface back.
        var podAddress = await NetworkNamespaceRunner.RunAsync(
            pod.Path,
            client =>
            {
                var address = client.GetAddresses(PodInterface)[0].Prefix;
                client.SetLinkDown(PodInterface);
                client.RenameLink(PodInterface, pod.Link);
                using var root = NetworkNamespaceHandle.OpenProcessNamespace();
                client.MoveToNamespace(pod.Link, root);
                return address;
            },
            TaskTimeoutExtensions.DefaultTimeoutToken()).DefaultTimeout();

        Assert.Equal(PodAddress, podAddress);
        Assert.True(await HostCommands.LinkExistsAsync(pod.Link));
        Assert.Equal(index, HostCommands.InterfaceIndex(pod.Link));
        Assert.DoesNotContain(PodInterface, await pod.IpAsync("link", "show"), StringComparison.Ordinal);
        using var client = RouteNetlinkClient.Open();
        var link = client.GetLink(pod.Link);
        Assert.False(link.IsUp);
        Assert.Empty(client.GetAddresses(pod.Link));
    }

    [Fact]
    public async Task MoveToNamespace_NameTakenInTarget_ThrowsEexist()
    {
        await using var pod = await PodNamespace.CreateAsync();
        await pod.IpAsync("link", "add", pod.Link, "type", "veth", "peer", "name", "other0");
        using var target = NetworkNamespaceHandle.Open(pod.Path);
        using var client = RouteNetlinkClient.Open();

        var error = Assert.Throws<NetlinkException>(() => client.MoveToNamespace(pod.Link, target));

        Assert.Equal(ErrorNumbers.EEXIST, error.Errno);
        Assert.Equal($"RTM_SETLINK dev {pod.Link} netns {pod.Path}", error.Operation);
        Assert.True(await HostCommands.LinkExistsAsync(pod.Link));
    }

    [Fact]
    public async Task MoveToNamespace_WithNameMtuAndUp_ArrivesRenamedUpWithThatMtu()
    {
        await using var pod = await PodNamespace.CreateAsync();
        var index = HostCommands.InterfaceIndex(pod.Link);
        using var target = NetworkNamespaceHandle.Open(pod.Path);
        using var client = RouteNetlinkClient.Open();

        client.MoveToNamespace(pod.Link, target, PodInterface, mtu: 1280, up: true);

        Assert.False(await HostCommands.LinkExistsAsync(pod.Link));
        using var inPod = RouteNetlinkClient.OpenInNamespace(target);
        var link = inPod.GetLink(PodInterface);
        Assert.Equal(index, link.Index);
        Assert.Equal(1280, link.Mtu);
        Assert.True(link.IsUp);
    }

    [Fact]
    public async Task MoveToNamespace_NewNameTakenInTarget_ThrowsEexistAndLeavesTheLinkMovedUnderItsName()
    {
        await using var pod = await PodNamespace.CreateAsync();
        await pod.IpAsync("link", "add", PodInterface, "type", "veth", "peer", "name", "other0");
        using var target = NetworkNamespaceHandle.Open(pod.Path);
        using var client = RouteNetlinkClient.Open();

        var error = Assert.Throws<NetlinkException>(() => client.MoveToNamespace(pod.Link, target, PodInterface, mtu: 0, up: true));

        Assert.Equal(ErrorNumbers.EEXIST, error.Errno);
        Assert.Equal($"RTM_SETLINK dev {pod.Link} netns {pod.Path} name {PodInterface} up", error.Operation);
        using var inPod = RouteNetlinkClient.OpenInNamespace(target);
        Assert.False(inPod.GetLink(pod.Link).IsUp);
    }

    [Fact]
    public async Task AddAddress_SameAddressTwice_ThrowsEexistNamingTheOperation()
    {
        await using var network = await NetworkNamespace.CreateAsync();
        using var client = RouteNetlinkClient.OpenInNamespace(PathOf(network));
        var address = IPv4Prefix.Parse("10.0.0.1/32");
        client.AddAddress("lo", address);

        var error = Assert.Throws<NetlinkException>(() => client.AddAddress("lo", address));

        Assert.Equal(ErrorNumbers.EEXIST, error.Errno);
        Assert.Equal("RTM_NEWADDR 10.0.0.1/32 dev lo", error.Operation);
        Assert.StartsWith("RTM_NEWADDR 10.0.0.1/32 dev lo: File exists", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeleteAddress_AddressNotThere_ThrowsEaddrnotavail()
    {
        await using var network = await NetworkNamespace.CreateAsync();
        using var client = RouteNetlinkClient.OpenInNamespace(PathOf(network));

        var error = Assert.Throws<NetlinkException>(() => client.DeleteAddress("lo", IPv4Prefix.Parse("10.0.0.1/32")));

        Assert.Equal(ErrorNumbers.EADDRNOTAVAIL, error.Errno);
        Assert.Equal("RTM_DELADDR 10.0.0.1/32 dev lo", error.Operation);
    }

    [Fact]
    public async Task DeleteRoute_NoSuchRoute_ThrowsEsrch()
    {
        await using var network = await NetworkNamespace.CreateAsync();
        using var client = RouteNetlinkClient.OpenInNamespace(PathOf(network));

        var error = Assert.Throws<NetlinkException>(() => client.DeleteRoute(new IPv4Route(IPv4Prefix.Parse("10.99.0.0/16"), "lo")));

        Assert.Equal(ErrorNumbers.ESRCH, error.Errno);
        Assert.Equal("RTM_DELROUTE 10.99.0.0/16 dev lo: No such process", error.Message);
    }

    [Fact]
    public async Task DeleteRoute_ExistingRouteGivenWithoutScope_RemovesIt()
    {
        await using var network = await NetworkNamespace.CreateAsync();
        await network.RunAsync("ip", "route", "add", "10.99.0.0/16", "dev", "lo", "scope", "link");
        using var client = RouteNetlinkClient.OpenInNamespace(PathOf(network));

        client.DeleteRoute(new IPv4Route(IPv4Prefix.Parse("10.99.0.0/16"), "lo"));

        Assert.Empty(Lines(await network.RunAsync("ip", "-4", "route", "show")));
        Assert.Empty(client.GetRoutes());
    }

    [Fact]
    public async Task ReplaceRoute_ExistingRoute_ChangesItsGateway()
    {
        await using var network = await NetworkNamespace.CreateAsync();
        await network.RunAsync("ip", "link", "add", PodInterface, "type", "veth", "peer", "name", "peer0");
        using var client = RouteNetlinkClient.OpenInNamespace(PathOf(network));
        client.SetLinkUp("peer0");
        client.SetLinkUp(PodInterface);
        var second = IPv4Address.Parse("169.254.1.2");
        client.AddRoute(ArpProxyRoute);
        client.AddRoute(ArpProxyRoute with { Destination = IPv4Prefix.Host(second) });
        var services = IPv4Prefix.Parse("10.96.0.0/12");
        client.AddRoute(new IPv4Route(services, PodInterface, ArpProxy));

        var duplicate = Assert.Throws<NetlinkException>(() => client.AddRoute(new IPv4Route(services, PodInterface, second)));
        client.ReplaceRoute(new IPv4Route(services, PodInterface, second));

        Assert.Equal(ErrorNumbers.EEXIST, duplicate.Errno);
        Assert.Equal(["10.96.0.0/12 via 169.254.1.2 dev eth0"], Lines(await network.RunAsync("ip", "-4", "route", "show", "10.96.0.0/12")));
        Assert.Equal([new IPv4Route(services, PodInterface, second)], client.GetRoutes().Where(r => r.Destination == services));
    }

    [Fact]
    public async Task AddRoute_UnreachableGateway_ReportsTheKernelsExplanation()
    {
        await using var network = await NetworkNamespace.CreateAsync();
        using var client = RouteNetlinkClient.OpenInNamespace(PathOf(network));

        var error = Assert.Throws<NetlinkException>(() =>
            client.AddRoute(new IPv4Route(IPv4Prefix.Parse("10.0.0.0/8"), "lo", IPv4Address.Parse("192.0.2.1"))));

        Assert.Equal(ErrorNumbers.ENETUNREACH, error.Errno);
        Assert.Equal("Nexthop has invalid gateway", error.KernelMessage);
        Assert.Equal("RTM_NEWROUTE 10.0.0.0/8 via 192.0.2.1 dev lo: Network is unreachable (Nexthop has invalid gateway)", error.Message);
    }

    [Fact]
    public async Task AddRoute_UnknownDevice_ThrowsEnodevNamingTheRoute()
    {
        await using var network = await NetworkNamespace.CreateAsync();
        using var client = RouteNetlinkClient.OpenInNamespace(PathOf(network));

        var error = Assert.Throws<NetlinkException>(() => client.AddRoute(new IPv4Route(IPv4Prefix.Default, PodInterface, ArpProxy)));

        Assert.Equal(ErrorNumbers.ENODEV, error.Errno);
        Assert.Equal("RTM_NEWROUTE 0.0.0.0/0 via 169.254.1.1 dev eth0: No such device", error.Message);
    }

    [Fact]
    public async Task HostInterfaceSetup_LinkWithOldAddressesAndRoute_EndsAsTheAgentConfiguresIt()
    {
        const string hostInterface = "P4TAP_1";
        await using var network = await NetworkNamespace.CreateAsync();
        await network.RunAsync("ip", "link", "add", hostInterface, "type", "veth", "peer", "name", "peer0");
        await network.RunAsync("ip", "addr", "add", "192.0.2.10/24", "dev", hostInterface);
        await network.RunAsync("ip", "addr", "add", "192.0.2.11/24", "dev", hostInterface);
        await network.RunAsync("ip", "addr", "add", "198.51.100.7/32", "dev", hostInterface);
        await network.RunAsync("ip", "link", "set", hostInterface, "up");
        await network.RunAsync("ip", "link", "set", "peer0", "up");
        await network.RunAsync("ip", "route", "add", "10.244.0.0/16", "dev", hostInterface, "scope", "link");
        using var client = RouteNetlinkClient.OpenInNamespace(PathOf(network));

        // Section 6.4, host-interface setup.
        client.FlushAddresses(hostInterface);
        client.AddAddress(hostInterface, IPv4Prefix.Parse("200.1.1.2/32"));
        client.SetMtu(hostInterface, 1280);
        client.SetLinkUp(hostInterface);
        client.AddRoute(ArpProxyRoute with { Device = hostInterface });
        foreach (var cidr in new[] { "10.244.0.0/16", "10.244.1.0/24" })
        {
            var wanted = new IPv4Route(IPv4Prefix.Parse(cidr), hostInterface, ArpProxy);
            foreach (var stale in client.GetRoutes().Where(r => r.Destination == wanted.Destination && r != wanted))
            {
                client.DeleteRoute(stale);
            }

            client.ReplaceRoute(wanted);
        }

        var addresses = Lines(await network.RunAsync("ip", "-4", "addr", "show", "dev", hostInterface));
        Assert.Equal(["inet 200.1.1.2/32 scope global P4TAP_1"], addresses.Where(l => l.StartsWith("inet ", StringComparison.Ordinal)));
        Assert.Contains("mtu 1280 ", await network.RunAsync("ip", "link", "show", "dev", hostInterface), StringComparison.Ordinal);
        Assert.Equal(
            ["10.244.0.0/16 via 169.254.1.1 dev P4TAP_1", "10.244.1.0/24 via 169.254.1.1 dev P4TAP_1", "169.254.1.1 dev P4TAP_1 scope link"],
            Lines(await network.RunAsync("ip", "-4", "route", "show")));
    }

    [Fact]
    public async Task FlushAddresses_PrimaryWithSecondaries_RemovesEveryIPv4Address()
    {
        await using var network = await NetworkNamespace.CreateAsync();
        await network.RunAsync("ip", "addr", "add", "192.0.2.10/24", "dev", "lo");
        await network.RunAsync("ip", "addr", "add", "192.0.2.11/24", "dev", "lo");
        await network.RunAsync("ip", "addr", "add", "198.51.100.7/32", "dev", "lo");
        using var client = RouteNetlinkClient.OpenInNamespace(PathOf(network));
        Assert.Equal(4, client.GetAddresses("lo").Count); // and 127.0.0.1/8

        client.FlushAddresses("lo");

        Assert.Empty(client.GetAddresses("lo"));
        Assert.DoesNotContain("inet ", await network.RunAsync("ip", "-4", "addr", "show", "dev", "lo"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetLinks_VethInProcessNamespace_ReportsIndexMacMtuKindAndState()
    {
        var name = HostCommands.UniqueName("nlt");
        var peer = HostCommands.UniqueName("nlp");
        try
        {
            await HostCommands.RunAsync("ip", "link", "add", name, "mtu", "1400", "address", "02:12:34:56:78:9a", "type", "veth", "peer", "name", peer);
            using var client = RouteNetlinkClient.Open();

            var link = Assert.Single(client.GetLinks(), l => l.Name == name);

            Assert.Equal(HostCommands.InterfaceIndex(name), link.Index);
            Assert.Equal(MacAddress.Parse("02:12:34:56:78:9a"), link.HardwareAddress);
            Assert.Equal(1400, link.Mtu);
            Assert.Equal("veth", link.Kind);
            Assert.False(link.IsUp);
            Assert.Equal(link, client.GetLink(name));
            client.SetLinkUp(name);
            Assert.True(client.GetLink(name).IsUp);
            Assert.Matches("[<,]UP[,>]", await HostCommands.RunAsync("ip", "link", "show", "dev", name));
            client.SetLinkDown(name);
            Assert.False(client.GetLink(name).IsUp);
            Assert.Null(client.GetLinks().Single(l => l.Name == "lo").Kind);
        }
        finally
        {
            await HostCommands.DeleteLinkIfPresentAsync(name);
        }
    }

    [Fact]
    public void GetLink_UnknownName_ThrowsEnodevAndFindLinkReturnsNull()
    {
        using var client = RouteNetlinkClient.Open();
        var name = HostCommands.UniqueName("nlx");

        var error = Assert.Throws<NetlinkException>(() => client.GetLink(name));

        Assert.Equal(ErrorNumbers.ENODEV, error.Errno);
        Assert.Equal($"RTM_GETLINK dev {name}: No such device", error.Message);
        Assert.Null(client.FindLink(name));
    }

    [Fact]
    public async Task AlternativeName_FindsTheLinkUntilDeleted_AndBlocksARenameToIt()
    {
        await using var network = await NetworkNamespace.CreateAsync();
        await network.RunAsync("ip", "link", "add", PodInterface, "type", "veth", "peer", "name", "peer0");
        using var client = RouteNetlinkClient.OpenInNamespace(PathOf(network));
        var index = client.GetLink(PodInterface).Index;

        client.AddAlternativeName(PodInterface, "P4TAP_9");

        Assert.Equal((index, PodInterface), (client.GetLink("P4TAP_9").Index, client.GetLink("P4TAP_9").Name));
        Assert.Contains("altname P4TAP_9", await network.RunAsync("ip", "link", "show", PodInterface), StringComparison.Ordinal);
        Assert.Equal(ErrorNumbers.EEXIST, Assert.Throws<NetlinkException>(() => client.RenameLink("peer0", "P4TAP_9")).Errno);
        Assert.Equal(ErrorNumbers.EEXIST, Assert.Throws<NetlinkException>(() => client.AddAlternativeName("peer0", "P4TAP_9")).Errno);

        Assert.True(client.DeleteAlternativeName(PodInterface, "P4TAP_9"));

        Assert.Null(client.FindLink("P4TAP_9"));
        Assert.False(client.DeleteAlternativeName(PodInterface, "P4TAP_9"));
        client.SetLinkDown(PodInterface);
        client.RenameLink(PodInterface, "P4TAP_9");
        Assert.Equal(index, client.GetLink("P4TAP_9").Index);
    }

    [Fact]
    public async Task RenameLink_DownLink_TakesTheNewName()
    {
        await using var network = await NetworkNamespace.CreateAsync();
        await network.RunAsync("ip", "link", "add", PodInterface, "type", "veth", "peer", "name", "peer0");
        using var client = RouteNetlinkClient.OpenInNamespace(PathOf(network));
        var index = client.GetLink(PodInterface).Index;

        client.RenameLink(PodInterface, "P4TAP_9");

        Assert.Equal(index, client.GetLink("P4TAP_9").Index);
        Assert.Null(client.FindLink(PodInterface));
        Assert.Contains("P4TAP_9", await network.RunAsync("ip", "link", "show"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RenameLink_NameInUse_ThrowsEexist()
    {
        await using var network = await NetworkNamespace.CreateAsync();
        await network.RunAsync("ip", "link", "add", PodInterface, "type", "veth", "peer", "name", "peer0");
        using var client = RouteNetlinkClient.OpenInNamespace(PathOf(network));

        var error = Assert.Throws<NetlinkException>(() => client.RenameLink(PodInterface, "peer0"));

        Assert.Equal(ErrorNumbers.EEXIST, error.Errno);
        Assert.Equal("RTM_SETLINK dev eth0 name peer0", error.Operation);
    }

    [Fact]
    public async Task SetMtu_AboveTheLinksMaximum_ThrowsEinvalWithTheKernelsReason()
    {
        await using var network = await NetworkNamespace.CreateAsync();
        await network.RunAsync("ip", "link", "add", PodInterface, "type", "veth", "peer", "name", "peer0");
        using var client = RouteNetlinkClient.OpenInNamespace(PathOf(network));

        var error = Assert.Throws<NetlinkException>(() => client.SetMtu(PodInterface, 1 << 20));

        Assert.Equal(ErrorNumbers.EINVAL, error.Errno);
        Assert.Equal("RTM_SETLINK dev eth0 mtu 1048576", error.Operation);
        Assert.NotNull(error.KernelMessage);
        Assert.Equal(1500, client.GetLink(PodInterface).Mtu);
    }

    [Theory]
    [InlineData("")]
    [InlineData("sixteen-chars-xx")]
    public void RenameLink_InvalidNewName_ThrowsArgumentExceptionBeforeAskingTheKernel(string newName)
    {
        using var client = RouteNetlinkClient.Open();

        Assert.ThrowsAny<ArgumentException>(() => client.RenameLink("no-such-link", newName));
    }

    /// <summary>The agent's CreatePodInterface: down, move, then inside the namespace rename, MTU, up, routes, address.</summary>
    private static async Task ConfigurePodAsync(PodNamespace pod)
    {
        using (var root = RouteNetlinkClient.Open())
        using (var target = NetworkNamespaceHandle.Open(pod.Path))
        {
            root.SetLinkUp(pod.Peer);
            root.SetLinkDown(pod.Link);
            root.MoveToNamespace(pod.Link, target);
        }

        await NetworkNamespaceRunner.RunAsync(
            pod.Path,
            client =>
            {
                client.RenameLink(pod.Link, PodInterface);
                client.SetMtu(PodInterface, 1280);
                client.SetLinkUp(PodInterface);
                client.AddAddress(PodInterface, PodAddress);
                client.AddRoute(ArpProxyRoute);
                client.AddRoute(DefaultRoute);
            },
            TaskTimeoutExtensions.DefaultTimeoutToken()).DefaultTimeout();
    }

    private static string PathOf(NetworkNamespace network) => "/var/run/netns/" + network.Name;

    private static string[] Lines(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
