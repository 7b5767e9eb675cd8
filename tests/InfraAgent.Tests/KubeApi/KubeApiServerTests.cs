using InfraAgent.Tests.Services;
using k8s;
using k8s.Models;
using KubeApiStandin;
using TestSupport;
using Xunit;

namespace InfraAgent.Tests.KubeApi;

/// <summary>The stand-in as KubernetesClient sees it.</summary>
public sealed class KubeApiServerTests
{
    [Fact]
    public async Task List_WithSelectors_ReturnsMatchingItemsAndVersion()
    {
        await using var api = await KubeApiServer.StartAsync().DefaultTimeout();
        api.Apply(ServicesNode.Slice("a", "a-1", [(null, 80, "TCP")], "10.0.0.1"));
        api.Apply(ServicesNode.Slice("b", "b-1", [(null, 80, "TCP")], "10.0.0.2"));
        var client = api.CreateClient();

        var slices = await client.DiscoveryV1.ListEndpointSliceForAllNamespacesAsync(labelSelector: "kubernetes.io/service-name=b").DefaultTimeout();
        var byName = await client.DiscoveryV1.ListNamespacedEndpointSliceAsync("default", fieldSelector: "metadata.name=a-1").DefaultTimeout();

        Assert.Equal("b-1", Assert.Single(slices.Items).Metadata.Name);
        Assert.Equal("a-1", Assert.Single(byName.Items).Metadata.Name);
        Assert.Equal(api.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), slices.Metadata.ResourceVersion);
        Assert.Equal(2, api.Lists(ResourceKind.EndpointSlices));
    }

    [Fact]
    public async Task Watch_FromListVersion_ReplaysLaterEventsAndSendsBookmarks()
    {
        await using var api = await KubeApiServer.StartAsync().DefaultTimeout();
        api.BookmarkInterval = TimeSpan.FromMilliseconds(100);
        api.Apply(ServicesNode.Service("a", "10.96.0.1", ServicesNode.Port(80)));
        var client = api.CreateClient();
        var list = await client.CoreV1.ListServiceForAllNamespacesAsync().DefaultTimeout();
        api.Apply(ServicesNode.Service("b", "10.96.0.2", ServicesNode.Port(80)));
        api.Delete(ResourceKind.Services, "default", "a");
        using var cts = new CancellationTokenSource(TaskTimeoutExtensions.Default);

        var seen = new List<string>();
        await foreach (var (type, item) in client.CoreV1.WatchListServiceForAllNamespacesAsync(allowWatchBookmarks: true, resourceVersion: list.Metadata.ResourceVersion, cancellationToken: cts.Token))
        {
            seen.Add(type == WatchEventType.Bookmark ? "BOOKMARK" : $"{type} {item.Metadata.Name}");
            if (type == WatchEventType.Bookmark)
            {
                break;
            }
        }

        Assert.Equal(["Added b", "Deleted a", "BOOKMARK"], seen);
    }

    [Fact]
    public async Task Watch_TooOldVersion_Reports410ThroughOnError()
    {
        await using var api = await KubeApiServer.StartAsync().DefaultTimeout();
        api.Apply(ServicesNode.Service("a", "10.96.0.1", ServicesNode.Port(80)));
        var old = api.ResourceVersion;
        api.ExpireWatches();
        api.Apply(ServicesNode.Service("b", "10.96.0.2", ServicesNode.Port(80)));
        Exception? error = null;

        await foreach (var _ in api.CreateClient().CoreV1.WatchListServiceForAllNamespacesAsync(resourceVersion: (old - 1).ToString(System.Globalization.CultureInfo.InvariantCulture), onError: e => error = e, cancellationToken: TaskTimeoutExtensions.DefaultTimeoutToken()))
        {
            Assert.Fail("no event expected before the 410");
        }

        Assert.Equal(410, Assert.IsType<KubernetesException>(error).Status.Code);
    }
}
