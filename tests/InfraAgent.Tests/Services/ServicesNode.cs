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
    private string _nodeIp = string.Empty;

    private ServicesNode(KubeApiServer api, RecordingManager manager)
    {
        Api = api;
        Manager = manager;
    }

    public KubeApiServer Api { get; }

    public RecordingManager Manager { get; }

    public ServicesMetrics Metrics { get; } = new();

    public ServicesController? Controller { get; private set; } // set by StartControllerAsync

    /// <summary>The controller's record of the service ports it sent (in a directory of this node's own).</summary>
    public string RecordPath { get; } = Path.Combine(Path.GetTempPath(), "svcnode-" + Guid.NewGuid().ToString("N"), "services", "ports");

    public static async Task<ServicesNode> StartAsync(string nodeIp = "10.10.0.2", Action<KubeApiServer>? seed = null)
    {
        var node = new ServicesNode(await KubeApiServer.StartAsync().DefaultTimeout(), await RecordingManager.StartAsync());
        seed?.Invoke(node.Api);
        node._nodeIp = nodeIp;
        await node.StartControllerAsync();
        return node;
    }

    /// <summary>A new controller, as a (re)started agent has: nothing in memory, the record read from <see cref="RecordPath"/>.</summary>
    public async Task StartControllerAsync()
    {
        var client = Api.CreateClient();
        var options = new AgentOptions { NodeName = "node-a", NodeIp = _nodeIp };
        Controller = new ServicesController(client, new NodeNetworkClient(client, options, NullLogger<NodeNetworkClient>.Instance), Manager.Client, Metrics, new ServicePortRecord(RecordPath), TimeProvider.System, NullLoggerFactory.Instance);
        await Controller.StartAsync(CancellationToken.None);
        await Controller.Ready.DefaultTimeout();
    }

    /// <summary>Stops the controller, as the agent stopping (or killed: the record is written before each send).</summary>
    public async Task StopControllerAsync()
    {
        if (Controller is { } controller)
        {
            Controller = null;
            await controller.StopAsync(CancellationToken.None).DefaultTimeout();
            controller.Dispose();
        }
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

    /// <summary>The core/v1 Endpoints of a service (older clusters), one subset; "10.244.0.3" ready, "!10.244.0.3" not ready.</summary>
    public static V1Endpoints Endpoints(string service, (string? Name, int Port, string Protocol)[] ports, params string[] addresses) => new()
    {
        Kind = "Endpoints",
        ApiVersion = "v1",
        Metadata = new V1ObjectMeta { Name = service, NamespaceProperty = "default" },
        Subsets =
        [
            new V1EndpointSubset
            {
                Addresses = [.. addresses.Where(a => !a.StartsWith('!')).Select(a => new V1EndpointAddress { Ip = a })],
                NotReadyAddresses = [.. addresses.Where(a => a.StartsWith('!')).Select(a => new V1EndpointAddress { Ip = a[1..] })],
                Ports = [.. ports.Select(p => new Corev1EndpointPort { Name = p.Name, Port = p.Port, Protocol = p.Protocol })],
            },
        ],
    };

    public async ValueTask DisposeAsync()
    {
        await StopControllerAsync();
        await Manager.DisposeAsync();
        await Api.DisposeAsync();
        var directory = Path.GetDirectoryName(Path.GetDirectoryName(RecordPath))!;
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
