using TestSupport;
using TestSupport.Network;
using Xunit;

namespace Netlink.Tests;

[Collection(HostNetworkTests.Name)]
public sealed class NetlinkWorkerTests
{
    [Fact]
    public async Task OpenClientIn_NamedNamespace_SocketStaysThereAndTheThreadComesBack()
    {
        await using var network = await NetworkNamespace.CreateAsync();
        await network.RunAsync("ip", "link", "add", "eth0", "type", "veth", "peer", "name", "peer0");
        using var target = NetworkNamespaceHandle.Open("/var/run/netns/" + network.Name);
        using var worker = new NetlinkWorker();

        var (links, threadNamespace, poolThread) = await worker.RunAsync(() =>
        {
            using var client = worker.OpenClientIn(target);
            return (client.GetLinks().Select(l => l.Name).Order(StringComparer.Ordinal).ToList(), ThreadNamespace(), Thread.CurrentThread.IsThreadPoolThread);
        }).DefaultTimeout();

        Assert.Equal(["eth0", "lo", "peer0"], links);
        Assert.Equal(new FileInfo("/proc/self/ns/net").LinkTarget, threadNamespace);
        Assert.False(poolThread);
    }

    [Fact]
    public async Task RunAsync_QueuedWhileBusy_RunsInOrderOnOneThread()
    {
        using var worker = new NetlinkWorker();
        using var gate = new ManualResetEventSlim();
        var blocker = worker.RunAsync(() => gate.Wait(TaskTimeoutExtensions.Default));
        var queued = Enumerable.Range(0, 10).Select(i => worker.RunAsync(() => (i, Environment.CurrentManagedThreadId))).ToList();

        gate.Set();
        await blocker.DefaultTimeout();
        var ran = await Task.WhenAll(queued).DefaultTimeout();

        Assert.Equal(Enumerable.Range(0, 10), ran.Select(r => r.i));
        Assert.Single(ran.Select(r => r.CurrentManagedThreadId).Distinct());
    }

    [Fact]
    public async Task RunAsync_QueuedBehindBackgroundWork_RunsFirst()
    {
        using var worker = new NetlinkWorker();
        using var gate = new ManualResetEventSlim();
        var order = new List<string>();
        var blocker = worker.RunAsync(() => gate.Wait(TaskTimeoutExtensions.Default));
        var background = worker.RunAsync(() => order.Add("background"), background: true);
        var other = worker.RunAsync(() => order.Add("other"));

        gate.Set();
        await Task.WhenAll(blocker, background, other).DefaultTimeout();

        Assert.Equal(["other", "background"], order);
    }

    [Fact]
    public async Task RunAsync_BackgroundWorkBehindALongQueue_RunsAfterEveryFewItems()
    {
        using var worker = new NetlinkWorker();
        using var gate = new ManualResetEventSlim();
        var order = new List<string>();
        var blocker = worker.RunAsync(() => gate.Wait(TaskTimeoutExtensions.Default));
        var background = worker.RunAsync(() => order.Add("background"), background: true);
        var others = Enumerable.Range(0, NetlinkWorker.BackgroundEvery * 2).Select(i => worker.RunAsync(() => order.Add("other"))).ToList();

        gate.Set();
        await Task.WhenAll([blocker, background, .. others]).DefaultTimeout();

        // The blocker counts as one of the items before it.
        Assert.Equal(NetlinkWorker.BackgroundEvery - 1, order.IndexOf("background"));
    }

    [Fact]
    public async Task RunAsync_WorkThrows_TaskFaultsAndTheWorkerGoesOn()
    {
        using var worker = new NetlinkWorker();

        await Assert.ThrowsAsync<NetlinkException>(() => worker.RunAsync(() =>
        {
            using var client = RouteNetlinkClient.Open();
            return client.GetLink("nosuchlink0");
        }));
        var next = await worker.RunAsync(() => 42).DefaultTimeout();

        Assert.Equal(42, next);
    }

    [Fact]
    public void OpenClientIn_OffTheWorkerThread_Throws()
    {
        using var worker = new NetlinkWorker();
        using var host = NetworkNamespaceHandle.OpenProcessNamespace();

        Assert.Throws<InvalidOperationException>(() => worker.OpenClientIn(host));
    }

    private static string? ThreadNamespace() => new FileInfo("/proc/thread-self/ns/net").LinkTarget;
}
