using TestSupport;
using TestSupport.Network;
using SoftTargetKit;
using Xunit;
using static SoftTargetKit.K8sDp;

namespace SoftTarget.Tests.DataPlane;

/// <summary>
/// A pod's namespace deleted while its TAP is in it destroys the TAP; the agent makes it again under the
/// same name. SoftTarget, still running, must carry the port's traffic on the new TAP.
/// </summary>
[Collection(HostNetworkTests.Name)]
public sealed class DetachedPortTests : IClassFixture<SoftTargetProcess>
{
    private readonly SoftTargetProcess _target;

    public DetachedPortTests(SoftTargetProcess target)
    {
        _target = target;
    }

    [Fact]
    public async Task TapDestroyedWithItsNamespace_MadeAgain_PortCarriesTrafficOnTheNewTap()
    {
        await using var session = await P4Session.PrimaryWithPipelineAsync(_target);
        await using var a = await Pod.CreateAsync(_target, "10.244.0.6");
        await using var b = await Pod.CreateAsync(_target, "10.244.0.7");
        await session.WriteAsync(Insert(PodRoute(a.Ip, a.Port, a.Mac)), Insert(PodRoute(b.Ip, b.Port, b.Mac)));
        Assert.True(await a.Namespace.PingsAsync(b.Ip), "a -> b before\n" + _target.Output);

        // The kubelet removes b's namespace with the TAP still inside: the kernel destroys the TAP, a moment
        // later (a namespace is torn down by a kernel worker after its last reference goes), and SoftTarget says so.
        await b.Namespace.DisposeAsync();
        await _target.WaitForOutputAsync($"port {b.Tap} (P4 port {b.Port}) lost its TAP", TimeSpan.FromSeconds(30));
        Assert.False(await HostCommands.LinkExistsAsync(b.Tap));
        Assert.False(await a.Namespace.PingsAsync(b.Ip), "b's TAP is gone, yet b answered");

        // The agent makes the TAP again at home (persistent) and gives it to the next pod, same address.
        await HostCommands.RunAsync("ip", "tuntap", "add", "dev", b.Tap, "mode", "tap");
        await using var again = await NetworkNamespace.CreateAsync();
        var mac = await Pod.AdoptAsync(again, b.Tap, b.Ip);
        await session.WriteAsync(Modify(PodRoute(b.Ip, b.Port, mac)));

        Assert.True(await a.Namespace.PingsAsync(b.Ip), "a -> b on the new TAP\n" + _target.Output);
        Assert.True(await again.PingsAsync(a.Ip), "b -> a on the new TAP\n" + _target.Output);
        Assert.Contains($"port {b.Tap} (P4 port {b.Port}) attached again to its new TAP", _target.Output, StringComparison.Ordinal);
    }
}
