using InfraAgent.Kubernetes;
using InfraAgent.Services;
using k8s.Models;
using KubeApiStandin;
using Microsoft.Extensions.Logging.Abstractions;
using TestSupport;

namespace InfraAgent.Tests.Services;

/// <summary>The agent's real ServicesController between a Kubernetes API stand-in and a recording manager.</summary>
internal sealed class ServicesNode : IAsyncDisposable
{
    private ServicesNode(KubeApiServer api, RecordingManager manager)
    {
        Api = api;
        Manager = manager;
    }

    public KubeApiServer Api { get; }

    public RecordingManager Manager { get; }

    public ServicesMetrics Metrics { get; } = new();

    public ServicesController Controller { get; private set; } = null!; // set by StartAsync

    public static async Task<ServicesNode> StartAsync(string nodeIp = "10.10.0.2", Action<KubeApiServer>? seed = null)
    {
        var node = new ServicesNode(await KubeApiServer.StartAsync().DefaultTimeout(), await RecordingManager.StartAsync());
        seed?.Invoke(node.Api);
        var client = node.Api.CreateClient();
        var options = new AgentOptions { NodeName = "node-a", NodeIp = nodeIp };
        node.Controller = new ServicesController(client, new NodeNetworkClient(client, options, NullLogger<NodeNetworkClient>.Instance), node.Manager.Client, node.Metrics, TimeProvider.System, NullLoggerFactory.Instance);
        await node.Controller.StartAsync(CancellationToken.None);
        await node.Controller.Ready.DefaultTimeout();
        return node;
    }

    public static V1Service Service(string name, string clusterIp, params V1ServicePort[] ports) => new()
    {
        Kind = "Service",
        ApiVersion = "v1",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default" },
        Spec = new V1ServiceSpec { ClusterIP = clusterIp, ClusterIPs = [clusterIp], Ports = ports, Type = "ClusterIP" },
    };

    public static V1ServicePort Port(int port, string protocol = "TCP", string? name = null, int? nodePort = null) =>
        new() { Port = port, Protocol = protocol, Name = name, NodePort = nodePort };

    /// <summary>An EndpointSlice of the service; endpoints "10.244.0.3" are ready, "!10.244.0.3" not ready.</summary>
    public static V1EndpointSlice Slice(string service, string name, (string? Name, int Port, string Protocol)[] ports, params string[] endpoints) => new()
    {
        Kind = "EndpointSlice",
        ApiVersion = "discovery.k8s.io/v1",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default", Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = service } },
        AddressType = "IPv4",
        Ports = [.. ports.Select(p => new Discoveryv1EndpointPort { Name = p.Name, Port = p.Port, Protocol = p.Protocol })],
        Endpoints = [.. endpoints.Select(e => new V1Endpoint { Addresses = [e.TrimStart('!')], Conditions = new V1EndpointConditions { Ready = !e.StartsWith('!') } })],
    };

    public async ValueTask DisposeAsync()
    {
        if (Controller is not null)
        {
            await Controller.StopAsync(CancellationToken.None).DefaultTimeout();
            Controller.Dispose();
        }

        await Manager.DisposeAsync();
        await Api.DisposeAsync();
    }
}
