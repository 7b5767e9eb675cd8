using InfraAgent.Cni;
using InfraAgent.Cni.PodInterfaces;
using Netlink;
using Packets.Tap;
using TestSupport;
using TestSupport.Network;
using Xunit;

namespace InfraAgent.Tests.Cni.PodInterfaces;

/// <summary>The kernel side of pod interfaces on a real TAP and real namespaces.</summary>
[Collection(HostNetworkTests.Name)]
public sealed class TapPodInterfaceTests
{
    [Fact]
    public async Task MoveIntoPodAsync_FromADeletedPodsNamespace_ArrivesConfiguredAndTheOldPodIsLeft()
    {
        var name = HostCommands.UniqueName("tpi");
        using (TapDevice.Open(name, persistent: true))
        {
        }

        try
        {
            await using var first = await NetworkNamespace.CreateAsync();
            await using var second = await NetworkNamespace.CreateAsync();
            using var kernel = new TapPodInterface();
            var tap = kernel.FindInHost(name) ?? throw new InvalidOperationException("no TAP " + name);
            await kernel.MoveIntoPodAsync(tap, Request(first, "10.244.3.4"), parked: null).DefaultTimeout();
            var left = 0;
            var parked = new ParkedTap(tap, NetworkNamespaceHandle.Open(PathOf(first)), "eth0", () => left++);

            await kernel.MoveIntoPodAsync(tap, Request(second, "10.244.3.5"), parked).DefaultTimeout();

            Assert.Equal(1, left);
            Assert.True(parked.Namespace.SafeFileHandle.IsClosed);
            Assert.DoesNotContain("eth0", await first.RunAsync("ip", "-o", "link", "show"), StringComparison.Ordinal);
            Assert.Contains("inet 10.244.3.5/32", await second.RunAsync("ip", "-o", "-4", "addr", "show", "dev", "eth0"), StringComparison.Ordinal);
            Assert.Contains("default via 169.254.1.1 dev eth0", await second.RunAsync("ip", "-4", "route", "show"), StringComparison.Ordinal);
            Assert.True(await kernel.IsInPlaceAsync(tap, Request(second, "10.244.3.5"), veth: false).DefaultTimeout());

            Assert.True(await kernel.ReturnToHostAsync(tap, PathOf(second), "eth0").DefaultTimeout());
            Assert.NotNull(kernel.FindInHost(name));
        }
        finally
        {
            await HostCommands.DeleteLinkIfPresentAsync(name);
        }
    }

    [Fact]
    public async Task ReturnParkedAsync_ClaimedByNobody_LeavesItWhereItIs()
    {
        using var kernel = new TapPodInterface();

        var result = await kernel.ReturnParkedAsync(() => null).DefaultTimeout();

        Assert.Null(result);
    }

    private static string PathOf(NetworkNamespace network) => "/var/run/netns/" + network.Name;

    private static PodAddRequest Request(NetworkNamespace network, string address) => new(
        new PodKey(PathOf(network), "eth0"),
        "cali0",
        1400,
        [IPv4Prefix.Parse(address + "/24")],
        [IPv4Prefix.Parse("0.0.0.0/0")],
        ["10.244.3.1"]);
}
