using Grpc.Core;
using k8s.Models;
using KubeApiStandin;
using Xunit;

namespace InfraAgent.Tests.Services;

/// <summary>The real informers and controller against the Kubernetes API stand-in and a recording manager.</summary>
public sealed class ServicesControllerTests
{
    private static readonly (string?, int, string)[] s_dns = [("dns", 53, "UDP")];

    [Fact]
    public async Task ClusterIp_ServiceWithSlice_AddsOneTranslationPerPort()
    {
        await using var node = await ServicesNode.StartAsync();

        node.Api.Apply(ServicesNode.Service("kube-dns", "10.96.0.10", ServicesNode.Port(53, "UDP", "dns"), ServicesNode.Port(53, "TCP", "dns-tcp")));
        node.Api.Apply(ServicesNode.Slice("kube-dns", "kube-dns-1", [("dns", 53, "UDP"), ("dns-tcp", 53, "TCP")], "10.244.0.3", "10.244.0.4"));

        await node.Manager.WaitUntilAsync(m => m.Programmed.Count == 2);
        Assert.Equal("[10.244.0.3:53 10.244.0.4:53]", node.Manager.Programmed["10.96.0.10:53/UDP"]);
        Assert.Equal("[10.244.0.3:53 10.244.0.4:53]", node.Manager.Programmed["10.96.0.10:53/TCP"]);
        // The manager records a request before it answers; the agent observes the programming time once the answer is in.
        var deadline = DateTime.UtcNow + TestSupport.TaskTimeoutExtensions.Default;
        while (node.Metrics.ProgrammedCount < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        Assert.True(node.Metrics.ProgrammedCount >= 2, $"network_programming_duration_seconds count {node.Metrics.ProgrammedCount}");
    }

    [Fact]
    public async Task NodePort_NodeIpFromNodeObject_AddsNodeIpEntry()
    {
        await using var node = await ServicesNode.StartAsync(nodeIp: string.Empty, seed: api => api.Apply(new V1Node
        {
            Kind = "Node",
            Metadata = new V1ObjectMeta { Name = "node-a" },
            Spec = new V1NodeSpec { PodCIDR = "10.244.0.0/24" },
            Status = new V1NodeStatus { Addresses = [new V1NodeAddress { Type = "InternalIP", Address = "10.10.0.7" }] },
        }));
        var service = ServicesNode.Service("web", "10.96.1.1", ServicesNode.Port(80, nodePort: 30080));
        service.Spec.Type = "NodePort";

        node.Api.Apply(service);
        node.Api.Apply(ServicesNode.Slice("web", "web-1", [(null, 8080, "TCP")], "10.244.1.5"));

        await node.Manager.WaitUntilAsync(m => m.Programmed.Count == 2);
        Assert.Equal("[10.244.1.5:8080]", node.Manager.Programmed["10.10.0.7:30080/TCP"]);
        Assert.Equal("[10.244.1.5:8080]", node.Manager.Programmed["10.96.1.1:80/TCP"]);
    }

    [Fact]
    public async Task ExternalIpsAndLoadBalancerIngress_EachGetATranslation()
    {
        await using var node = await ServicesNode.StartAsync();
        var service = ServicesNode.Service("front", "10.96.2.2", ServicesNode.Port(80, name: "http"));
        service.Spec.ExternalIPs = ["192.0.2.10"];
        service.Status = new V1ServiceStatus { LoadBalancer = new V1LoadBalancerStatus { Ingress = [new V1LoadBalancerIngress { Ip = "198.51.100.7" }] } };

        node.Api.Apply(service);
        node.Api.Apply(ServicesNode.Slice("front", "front-1", [("http", 8080, "TCP")], "10.244.2.7"));

        await node.Manager.WaitUntilAsync(m => m.Programmed.Count == 3);
        Assert.Equal(["10.96.2.2:80/TCP", "192.0.2.10:80/TCP", "198.51.100.7:80/TCP"], node.Manager.Programmed.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task MultiPortNamedTargetPorts_ResolvedPerSlice()
    {
        await using var node = await ServicesNode.StartAsync();

        node.Api.Apply(ServicesNode.Service("app", "10.96.3.3", ServicesNode.Port(80, name: "http"), ServicesNode.Port(9090, name: "metrics")));
        node.Api.Apply(ServicesNode.Slice("app", "app-v1", [("http", 8080, "TCP"), ("metrics", 9100, "TCP")], "10.244.0.10"));
        node.Api.Apply(ServicesNode.Slice("app", "app-v2", [("http", 8081, "TCP"), ("metrics", 9101, "TCP")], "10.244.0.11"));

        await node.Manager.WaitUntilAsync(m => m.Programmed.GetValueOrDefault("10.96.3.3:9090/TCP") == "[10.244.0.10:9100 10.244.0.11:9101]"
            && m.Programmed.GetValueOrDefault("10.96.3.3:80/TCP") == "[10.244.0.10:8080 10.244.0.11:8081]");
    }

    [Fact]
    public async Task NotReadyEndpoints_ExcludedUntilReady()
    {
        await using var node = await ServicesNode.StartAsync();

        node.Api.Apply(ServicesNode.Service("db", "10.96.4.4", ServicesNode.Port(5432)));
        node.Api.Apply(ServicesNode.Slice("db", "db-1", [(null, 5432, "TCP")], "10.244.0.20", "!10.244.0.21"));
        await node.Manager.WaitUntilAsync(m => m.Programmed.Count == 1);
        Assert.Equal("[10.244.0.20:5432]", node.Manager.Programmed["10.96.4.4:5432/TCP"]);

        node.Api.Apply(ServicesNode.Slice("db", "db-1", [(null, 5432, "TCP")], "10.244.0.20", "10.244.0.21"));
        await node.Manager.WaitUntilAsync(m => m.Programmed["10.96.4.4:5432/TCP"] == "[10.244.0.20:5432 10.244.0.21:5432]");
    }

    [Fact]
    public async Task ScaleUpAndDown_SendsOnlyTheChangedPortAsOneAdd()
    {
        await using var node = await ServicesNode.StartAsync();
        node.Api.Apply(ServicesNode.Service("dns", "10.96.0.10", ServicesNode.Port(53, "UDP", "dns")));
        node.Api.Apply(ServicesNode.Slice("dns", "dns-1", s_dns, "10.244.0.3"));
        node.Api.Apply(ServicesNode.Service("other", "10.96.0.20", ServicesNode.Port(80)));
        node.Api.Apply(ServicesNode.Slice("other", "other-1", [(null, 80, "TCP")], "10.244.0.9"));
        await node.Manager.WaitUntilAsync(m => m.Programmed.Count == 2 && m.Programmed["10.96.0.10:53/UDP"] == "[10.244.0.3:53]");
        node.Manager.ClearCalls();

        node.Api.Apply(ServicesNode.Slice("dns", "dns-1", s_dns, "10.244.0.3", "10.244.0.4", "10.244.0.5"));
        await node.Manager.WaitUntilAsync(m => m.Calls.Count >= 1);
        node.Api.Apply(ServicesNode.Slice("dns", "dns-1", s_dns, "10.244.0.5"));
        await node.Manager.WaitUntilAsync(m => m.Calls.Count >= 2);
        await Task.Delay(200);

        Assert.Equal(
            ["ADD 10.96.0.10:53/UDP [10.244.0.3:53 10.244.0.4:53 10.244.0.5:53]", "ADD 10.96.0.10:53/UDP [10.244.0.5:53]"],
            node.Manager.Calls);
    }

    [Fact]
    public async Task ServiceDeleted_DeletesEveryPort()
    {
        await using var node = await ServicesNode.StartAsync();
        node.Api.Apply(ServicesNode.Service("kube-dns", "10.96.0.10", ServicesNode.Port(53, "UDP", "dns"), ServicesNode.Port(53, "TCP", "dns-tcp")));
        node.Api.Apply(ServicesNode.Slice("kube-dns", "kube-dns-1", [("dns", 53, "UDP"), ("dns-tcp", 53, "TCP")], "10.244.0.3"));
        await node.Manager.WaitUntilAsync(m => m.Programmed.Count == 2);
        node.Manager.ClearCalls();

        node.Api.Delete(ResourceKind.Services, "default", "kube-dns");

        await node.Manager.WaitUntilAsync(m => m.Programmed.Count == 0);
        Assert.Equal(["DEL 10.96.0.10:53/TCP", "DEL 10.96.0.10:53/UDP"], node.Manager.Calls.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task WatchExpired_RelistsWithoutLosingOrDuplicating()
    {
        await using var node = await ServicesNode.StartAsync();
        node.Api.Apply(ServicesNode.Service("a", "10.96.0.1", ServicesNode.Port(80)));
        node.Api.Apply(ServicesNode.Slice("a", "a-1", [(null, 80, "TCP")], "10.244.0.1"));
        node.Api.Apply(ServicesNode.Service("b", "10.96.0.2", ServicesNode.Port(80)));
        node.Api.Apply(ServicesNode.Slice("b", "b-1", [(null, 80, "TCP")], "10.244.0.2"));
        await node.Manager.WaitUntilAsync(m => m.Programmed.Count == 2);
        node.Manager.ClearCalls();
        var lists = node.Api.Lists(ResourceKind.Services);

        node.Api.ExpireWatches();
        node.Api.Delete(ResourceKind.Services, "default", "b");
        node.Api.Apply(ServicesNode.Slice("a", "a-1", [(null, 80, "TCP")], "10.244.0.1", "10.244.0.9"));

        await node.Manager.WaitUntilAsync(m => m.Programmed.Count == 1 && m.Programmed.GetValueOrDefault("10.96.0.1:80/TCP") == "[10.244.0.1:80 10.244.0.9:80]");
        await node.Manager.WaitUntilAsync(m => node.Api.Lists(ResourceKind.Services) > lists);
        await Task.Delay(300);
        Assert.Equal(["ADD 10.96.0.1:80/TCP [10.244.0.1:80 10.244.0.9:80]", "DEL 10.96.0.2:80/TCP"], node.Manager.Calls.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task WatchConnectionDropped_ResumesFromLastVersion()
    {
        await using var node = await ServicesNode.StartAsync();
        node.Api.Apply(ServicesNode.Service("a", "10.96.0.1", ServicesNode.Port(80)));
        node.Api.Apply(ServicesNode.Slice("a", "a-1", [(null, 80, "TCP")], "10.244.0.1"));
        await node.Manager.WaitUntilAsync(m => m.Programmed.Count == 1);
        var watches = node.Api.Watches(ResourceKind.EndpointSlices);
        var lists = node.Api.Lists(ResourceKind.EndpointSlices);

        node.Api.DropConnections();
        node.Api.Apply(ServicesNode.Slice("a", "a-1", [(null, 80, "TCP")], "10.244.0.1", "10.244.0.2"));

        await node.Manager.WaitUntilAsync(m => m.Programmed["10.96.0.1:80/TCP"] == "[10.244.0.1:80 10.244.0.2:80]");
        Assert.True(node.Api.Watches(ResourceKind.EndpointSlices) > watches);
        Assert.Equal(lists, node.Api.Lists(ResourceKind.EndpointSlices)); // resumed from its resourceVersion, no re-list
    }

    [Fact]
    public async Task OldClusterWithoutEndpointSlices_EndpointsAreWatched_ReadyChangesAndDeletionApply()
    {
        await using var node = await ServicesNode.StartAsync(seed: api => api.Unserved = new HashSet<ResourceKind> { ResourceKind.EndpointSlices });
        (string?, int, string)[] http = [("http", 8080, "TCP")];

        node.Api.Apply(ServicesNode.Service("web", "10.96.0.30", ServicesNode.Port(80, name: "http")));
        node.Api.Apply(ServicesNode.Endpoints("web", http, "10.244.0.1", "!10.244.0.2"));
        await node.Manager.WaitUntilAsync(m => m.Programmed.GetValueOrDefault("10.96.0.30:80/TCP") == "[10.244.0.1:8080]");

        node.Api.Apply(ServicesNode.Endpoints("web", http, "10.244.0.1", "10.244.0.2"));
        await node.Manager.WaitUntilAsync(m => m.Programmed.GetValueOrDefault("10.96.0.30:80/TCP") == "[10.244.0.1:8080 10.244.0.2:8080]");

        node.Api.Delete(ResourceKind.Services, "default", "web");
        await node.Manager.WaitUntilAsync(m => m.Programmed.Count == 0);
        Assert.True(node.Api.Watches(ResourceKind.Endpoints) >= 1);
        Assert.Equal(0, node.Api.Watches(ResourceKind.EndpointSlices));
    }

    [Fact]
    public async Task ClusterWithEndpointSlices_EndpointsAreNotWatched()
    {
        await using var node = await ServicesNode.StartAsync();
        node.Api.Apply(ServicesNode.Service("web", "10.96.0.31", ServicesNode.Port(80, name: "http")));
        node.Api.Apply(ServicesNode.Slice("web", "web-1", [("http", 8080, "TCP")], "10.244.0.1"));
        // An Endpoints object that disagrees: the EndpointSlices win, as kube-proxy takes them.
        node.Api.Apply(ServicesNode.Endpoints("web", [("http", 8080, "TCP")], "10.244.0.99"));

        await node.Manager.WaitUntilAsync(m => m.Programmed.GetValueOrDefault("10.96.0.31:80/TCP") == "[10.244.0.1:8080]");
        Assert.Equal(0, node.Api.Lists(ResourceKind.Endpoints) + node.Api.Watches(ResourceKind.Endpoints));
    }

    [Fact]
    public async Task AgentRestarted_ServicesDeletedWhileItWasDown_AreDeletedAtTheManager()
    {
        await using var node = await ServicesNode.StartAsync();
        node.Api.Apply(ServicesNode.Service("a", "10.96.0.1", ServicesNode.Port(80)));
        node.Api.Apply(ServicesNode.Slice("a", "a-1", [(null, 80, "TCP")], "10.244.0.1"));
        node.Api.Apply(ServicesNode.Service("b", "10.96.0.2", ServicesNode.Port(80), ServicesNode.Port(53, "UDP", "dns")));
        node.Api.Apply(ServicesNode.Slice("b", "b-1", [(null, 80, "TCP"), ("dns", 53, "UDP")], "10.244.0.2"));
        await node.Manager.WaitUntilAsync(m => m.Programmed.Count == 3);
        Assert.Equal(["10.96.0.1:80/TCP", "10.96.0.2:80/TCP", "10.96.0.2:53/UDP"], File.ReadAllLines(node.RecordPath));

        // b goes while the agent is down: the restarted agent deletes its ports, and sends a's again.
        await node.StopControllerAsync();
        node.Api.Delete(ResourceKind.Services, "default", "b");
        node.Api.Delete(ResourceKind.EndpointSlices, "default", "b-1");
        node.Manager.ClearCalls();
        await node.StartControllerAsync();

        await node.Manager.WaitUntilAsync(m => m.Programmed.Count == 1 && m.Calls.Count == 3);
        Assert.Equal(["ADD 10.96.0.1:80/TCP [10.244.0.1:80]", "DEL 10.96.0.2:53/UDP", "DEL 10.96.0.2:80/TCP"], node.Manager.Calls.Order(StringComparer.Ordinal));
        await WaitForRecordAsync(node, ["10.96.0.1:80/TCP"]);

        // The last Service goes while the agent is down: nothing announces itself, its port is deleted all the same.
        await node.StopControllerAsync();
        node.Api.Delete(ResourceKind.Services, "default", "a");
        node.Manager.ClearCalls();
        await node.StartControllerAsync();

        await node.Manager.WaitUntilAsync(m => m.Programmed.Count == 0);
        Assert.Equal(["DEL 10.96.0.1:80/TCP"], node.Manager.Calls);
        await WaitForRecordAsync(node, []);
    }

    [Fact]
    public async Task ManagerUnavailableThenBack_RetriesAndResyncsEverything()
    {
        await using var node = await ServicesNode.StartAsync();
        node.Api.Apply(ServicesNode.Service("a", "10.96.0.1", ServicesNode.Port(80)));
        node.Api.Apply(ServicesNode.Slice("a", "a-1", [(null, 80, "TCP")], "10.244.0.1"));
        await node.Manager.WaitUntilAsync(m => m.Programmed.Count == 1);
        node.Manager.FailWith = StatusCode.Unavailable;

        node.Api.Apply(ServicesNode.Service("b", "10.96.0.2", ServicesNode.Port(80)));
        node.Api.Apply(ServicesNode.Slice("b", "b-1", [(null, 80, "TCP")], "10.244.0.2"));
        await node.Manager.WaitUntilAsync(m => m.Failures >= 2);
        node.Manager.ClearCalls();
        node.Manager.FailWith = null;

        await node.Manager.WaitUntilAsync(m => m.Calls.Contains("ADD 10.96.0.2:80/TCP [10.244.0.2:80]") && m.Calls.Contains("ADD 10.96.0.1:80/TCP [10.244.0.1:80]"));
        Assert.Equal(2, node.Manager.Programmed.Count);
    }

    /// <summary>The record is written after the manager's answer arrives, a moment after the manager holds the change.</summary>
    private static async Task WaitForRecordAsync(ServicesNode node, string[] expected)
    {
        var deadline = DateTime.UtcNow + TestSupport.TaskTimeoutExtensions.Default;
        while (!File.ReadAllLines(node.RecordPath).SequenceEqual(expected) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal(expected, File.ReadAllLines(node.RecordPath));
    }
}
