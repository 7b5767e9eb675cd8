using TestSupport;
using TestSupport.Network;
using Xunit;

namespace Netlink.Tests;

[Collection(HostNetworkTests.Name)]
public sealed class NetworkNamespaceRunnerTests
{
    [Fact]
    public async Task RunAsync_NamedNamespace_WorkRunsOnADedicatedThreadInsideIt()
    {
        await using var network = await NetworkNamespace.CreateAsync();
        var path = "/var/run/netns/" + network.Name;
        var inode = (await HostCommands.RunAsync("stat", "-L", "-c", "%i", path)).Trim();

        var (threadNamespace, poolThread, links) = await NetworkNamespaceRunner.RunAsync(
            path,
            client => (ThreadNamespace(), Thread.CurrentThread.IsThreadPoolThread, client.GetLinks().Select(l => l.Name).ToList()),
            TaskTimeoutExtensions.DefaultTimeoutToken()).DefaultTimeout();

        Assert.Equal($"net:[{inode}]", threadNamespace);
        Assert.False(poolThread);
        Assert.Equal(["lo"], links);
        Assert.Equal(new FileInfo("/proc/self/ns/net").LinkTarget, ThreadNamespace());
    }

    [Fact]
    public async Task RunAsync_ByHandle_RunsInThatNamespaceAndLeavesTheHandleOpen()
    {
        await using var network = await NetworkNamespace.CreateAsync();
        await network.RunAsync("ip", "link", "add", "eth0", "type", "veth", "peer", "name", "peer0");
        using var target = NetworkNamespaceHandle.Open("/var/run/netns/" + network.Name);

        var first = await NetworkNamespaceRunner.RunAsync(target, client => client.GetLink("eth0").Name, TaskTimeoutExtensions.DefaultTimeoutToken()).DefaultTimeout();
        var second = await NetworkNamespaceRunner.RunAsync(target, client => client.GetLink("peer0").Name, TaskTimeoutExtensions.DefaultTimeoutToken()).DefaultTimeout();

        Assert.Equal("eth0", first);
        Assert.Equal("peer0", second);
    }

    [Fact]
    public async Task RunAsync_MissingNamespace_FaultsWithNamespaceNotFoundWithoutRunning()
    {
        var path = "/var/run/netns/" + HostCommands.UniqueName("gone-");
        var ran = false;

        var error = await Assert.ThrowsAsync<NetworkNamespaceNotFoundException>(() =>
            NetworkNamespaceRunner.RunAsync(path, _ => ran = true, TaskTimeoutExtensions.DefaultTimeoutToken()).DefaultTimeout());

        Assert.Equal(path, error.Path);
        Assert.False(ran);
    }

    [Fact]
    public async Task RunAsync_DeletedNamespace_FaultsWithNamespaceNotFound()
    {
        var network = await NetworkNamespace.CreateAsync();
        var path = "/var/run/netns/" + network.Name;
        await network.DisposeAsync();

        await Assert.ThrowsAsync<NetworkNamespaceNotFoundException>(() =>
            NetworkNamespaceRunner.RunAsync(path, client => client.GetLinks(), TaskTimeoutExtensions.DefaultTimeoutToken()).DefaultTimeout());
        Assert.Throws<NetworkNamespaceNotFoundException>(() => RouteNetlinkClient.OpenInNamespace(path));
        Assert.Throws<NetworkNamespaceNotFoundException>(() => NetworkNamespaceHandle.Open(path));
    }

    [Fact]
    public async Task RunAsync_DeadProcessNamespacePath_FaultsWithNamespaceNotFound()
    {
        var exited = System.Diagnostics.Process.Start("true") ?? throw new InvalidOperationException("true did not start");
        var pid = exited.Id;
        await exited.WaitForExitAsync().DefaultTimeout();
        exited.Dispose();

        await Assert.ThrowsAsync<NetworkNamespaceNotFoundException>(() =>
            NetworkNamespaceRunner.RunAsync($"/proc/{pid}/ns/net", client => client.GetLinks(), TaskTimeoutExtensions.DefaultTimeoutToken()).DefaultTimeout());
    }

    [Theory]
    [InlineData("/proc/self/status")]
    [InlineData("/proc/self/ns/mnt")]
    public void Open_PathThatIsNotANetworkNamespace_ThrowsIOExceptionOtherThanNotFound(string path)
    {
        var error = Assert.ThrowsAny<IOException>(() => NetworkNamespaceHandle.Open(path));

        Assert.IsNotType<NetworkNamespaceNotFoundException>(error);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_WorkThrows_TaskFaultsWithThatException()
    {
        await using var network = await NetworkNamespace.CreateAsync();

        var error = await Assert.ThrowsAsync<NetlinkException>(() =>
            NetworkNamespaceRunner.RunAsync("/var/run/netns/" + network.Name, client => client.GetLink("eth0"), TaskTimeoutExtensions.DefaultTimeoutToken()).DefaultTimeout());

        Assert.Equal(ErrorNumbers.ENODEV, error.Errno);
    }

    [Fact]
    public void RunAsync_AsynchronousWork_IsRefused()
    {
        // Refused before any thread starts: an awaited continuation would resume outside the namespace.
        Assert.Throws<ArgumentException>(() =>
        {
            _ = NetworkNamespaceRunner.RunAsync(NetworkNamespaceHandle.ProcessNamespacePath, async client => await Task.Yield(), CancellationToken.None);
        });
        Assert.Throws<ArgumentException>(() =>
        {
            _ = NetworkNamespaceRunner.RunAsync(NetworkNamespaceHandle.ProcessNamespacePath, client => ValueTask.FromResult(1), CancellationToken.None);
        });
    }

    [Fact]
    public async Task RunAsync_CanceledBeforeStart_DoesNotRun()
    {
        var ran = false;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            NetworkNamespaceRunner.RunAsync(NetworkNamespaceHandle.ProcessNamespacePath, _ => ran = true, new CancellationToken(canceled: true)).DefaultTimeout());

        Assert.False(ran);
    }

    [Fact]
    public void OpenProcessNamespace_FromAnyThread_IsTheMainThreadsNamespace()
    {
        using var handle = NetworkNamespaceHandle.OpenProcessNamespace();

        Assert.Equal(NetworkNamespaceHandle.ProcessNamespacePath, handle.Path);
        Assert.Equal(new FileInfo("/proc/self/ns/net").LinkTarget, ThreadNamespace());
    }

    private static string? ThreadNamespace() => new FileInfo("/proc/thread-self/ns/net").LinkTarget;
}
