using InfraAgent.Kubernetes;
using InfraAgent.Tests.Services;
using k8s;
using k8s.Models;
using KubeApiStandin;
using Microsoft.Extensions.Logging.Abstractions;
using TestSupport;
using Xunit;

namespace InfraAgent.Tests.Kubernetes;

public sealed class ResourceInformerTests
{
    private static ResourceInformer<V1Service, V1ServiceList> Informer(IKubernetes client) => new(
        "services",
        ct => client.CoreV1.ListServiceForAllNamespacesAsync(cancellationToken: ct),
        (rv, onError, ct) => client.CoreV1.WatchListServiceForAllNamespacesAsync(allowWatchBookmarks: true, resourceVersion: rv, onError: onError, cancellationToken: ct),
        TimeProvider.System,
        NullLogger.Instance);

    private static async Task WaitForAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TaskTimeoutExtensions.Default);
        while (!condition())
        {
            await Task.Delay(20, timeout.Token);
        }
    }

    [Fact]
    public async Task RunAsync_AfterFirstList_ReadyWithCache()
    {
        await using var api = await KubeApiServer.StartAsync().DefaultTimeout();
        api.Apply(ServicesNode.Service("a", "10.96.0.1", ServicesNode.Port(80)));
        var informer = Informer(api.CreateClient());
        using var stop = new CancellationTokenSource();

        var run = informer.RunAsync(stop.Token);
        await informer.Ready.DefaultTimeout();

        Assert.NotNull(informer.Get("default/a"));
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run).DefaultTimeout();
    }

    [Fact]
    public async Task RunAsync_ExpiredWhileObjectsVanished_RelistsAndReportsDeletes()
    {
        await using var api = await KubeApiServer.StartAsync().DefaultTimeout();
        api.Apply(ServicesNode.Service("a", "10.96.0.1", ServicesNode.Port(80)));
        api.Apply(ServicesNode.Service("b", "10.96.0.2", ServicesNode.Port(80)));
        var informer = Informer(api.CreateClient());
        var events = new List<string>();
        informer.Subscribe((type, s) =>
        {
            lock (events)
            {
                events.Add($"{type} {s.Metadata.Name}");
            }
        });
        using var stop = new CancellationTokenSource();
        var run = informer.RunAsync(stop.Token);
        await informer.Ready.DefaultTimeout();
        await WaitForAsync(() => api.OpenWatches(ResourceKind.Services) == 1);

        // Deleted with no watch open: only the re-list after the 410 can notice.
        api.DropConnections();
        api.Delete(ResourceKind.Services, "default", "b");
        api.ExpireWatches();

        await WaitForAsync(() => informer.Get("default/b") is null);
        await WaitForAsync(() => api.Lists(ResourceKind.Services) == 2);
        lock (events)
        {
            Assert.Equal(["Added a", "Added b", "Deleted b"], events);
        }

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run).DefaultTimeout();
    }
}
