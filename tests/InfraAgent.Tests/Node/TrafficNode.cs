using System.Globalization;
using DaemonHost.Tls;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging.Abstractions;
using Grpc.Core;
using InfraAgent.Tests.Services;
using k8s.Models;
using KubeApiStandin;
using P4Pipeline;
using Proto.P4.V1;
using SoftTargetKit;
using TestSupport;
using TestSupport.Network;
using Xunit;

namespace InfraAgent.Tests.Node;

/// <summary>
/// The whole node with a Kubernetes API: SoftTarget, the ARP proxy, the manager and the agent
/// (<see cref="AgentNode"/>), the agent watching the API stand-in; pods made through the CNI API as
/// Calico makes them, servers started in them, services applied to the API as kubectl would.
/// </summary>
internal sealed class TrafficNode : IAsyncDisposable
{
    public static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(20);

    private readonly List<DaemonProcess> _servers = [];
    private readonly string _directory;
    private readonly ReloadingTlsMaterial _targetTls;
    private readonly GrpcChannel _target;

    private TrafficNode(KubeApiServer api, AgentNode node, string directory)
    {
        Api = api;
        Node = node;
        _directory = directory;
        // Reads of SoftTarget's tables, over mTLS with the manager's client certificate (a secondary client: reads need no arbitration).
        _targetTls = new ReloadingTlsMaterial(new TlsSettings(TlsMode.Mtls, node.Certificates.ManagerClient.Certificate, node.Certificates.ManagerClient.Key, node.Certificates.CaFile), TimeProvider.System, NullLogger.Instance);
        _target = GrpcChannels.Create($"localhost:{node.Target.P4RuntimePort}", _targetTls);
    }

    public KubeApiServer Api { get; }

    public AgentNode Node { get; }

    /// <summary>The pods added and not deleted, by IP.</summary>
    public Dictionary<string, NetworkNamespace> Pods { get; } = [];

    /// <summary>True when the API serves no EndpointSlices (Kubernetes before 1.21): services' endpoints are core/v1 Endpoints.</summary>
    public bool OldCluster { get; private init; }

    public static async Task<TrafficNode> StartAsync(int ports = 10, bool oldCluster = false)
    {
        var api = await KubeApiServer.StartAsync().DefaultTimeout();
        if (oldCluster)
        {
            api.Unserved = new HashSet<ResourceKind> { ResourceKind.EndpointSlices };
        }

        var directory = Directory.CreateTempSubdirectory("k8sio-traffic-").FullName;
        try
        {
            var kubeconfig = Path.Combine(directory, "kubeconfig");
            await File.WriteAllTextAsync(kubeconfig, api.Kubeconfig());
            var node = await AgentNode.StartAsync(ports, ["--kubeconfig", kubeconfig, "--nodeName", "node-a", "--nodeIp", AgentNode.NodeIp]);
            return new TrafficNode(api, node, directory) { OldCluster = oldCluster };
        }
        catch
        {
            await api.DisposeAsync();
            Directory.Delete(directory, recursive: true);
            throw;
        }
    }

    /// <summary>A pod with <paramref name="ip"/> through cni.CniDataplane/Add; fails the test if the agent refuses it.</summary>
    public async Task<NetworkNamespace> AddPodAsync(string ip)
    {
        var pod = await Node.CreatePodNamespaceAsync();
        var reply = await Node.Cni.AddAsync(AgentNode.AddRequest(pod, ip)).ResponseAsync.DefaultTimeout();
        Assert.True(reply.Successful, $"Add {ip}: {reply.ErrorMessage}\n{Node.Logs}");
        Pods[ip] = pod;
        return pod;
    }

    /// <summary>cni.CniDataplane/Del of the pod with <paramref name="ip"/>.</summary>
    public async Task DeletePodAsync(string ip)
    {
        var reply = await Node.Cni.DelAsync(AgentNode.DelRequest(Pods[ip])).ResponseAsync.DefaultTimeout();
        Assert.True(reply.Successful, $"Del {ip}: {reply.ErrorMessage}\n{Node.Logs}");
        Pods.Remove(ip);
    }

    /// <summary>A socat server in the pod, answering with its <paramref name="name"/> before each line (TCP) or datagram (UDP).</summary>
    public void Serve(string ip, string name, int port, string protocol = "TCP")
    {
        var (listen, script) = protocol == "TCP"
            ? ($"TCP-LISTEN:{port},fork,reuseaddr", $"while read l; do echo {name} $l; done")
            : ($"UDP-LISTEN:{port},fork,reuseaddr", $"read l; echo {name} $l");
        _servers.Add(DaemonProcess.StartProgram("ip", ["netns", "exec", Pods[ip].Name, "socat", listen, $"SYSTEM:{script}"]));
    }

    /// <summary>A ClusterIP service and its EndpointSlice or Endpoints (target port 8080 for TCP, 5353 for UDP), as the API server holds them.</summary>
    public void ApplyService(string name, string vip, int port, string protocol, params string[] backends)
    {
        Api.Apply(ServicesNode.Service(name, vip, ServicesNode.Port(port, protocol)));
        ApplyBackends(name, protocol, backends);
    }

    /// <summary>The service's EndpointSlice (or Endpoints) now lists <paramref name="backends"/> (scaling).</summary>
    public void ApplyBackends(string name, string protocol, params string[] backends)
    {
        (string?, int, string)[] ports = [(null, BackendPort(protocol), protocol)];
        _ = OldCluster
            ? Api.Apply(ServicesNode.Endpoints(name, ports, backends))
            : Api.Apply(ServicesNode.Slice(name, name + "-abcde", ports, backends));
    }

    public void DeleteService(string name)
    {
        _ = OldCluster
            ? Api.Delete(ResourceKind.Endpoints, "default", name)
            : Api.Delete(ResourceKind.EndpointSlices, "default", name + "-abcde");
        Api.Delete(ResourceKind.Services, "default", name);
    }

    public static int BackendPort(string protocol) => protocol == "TCP" ? 8080 : 5353;

    /// <summary>Waits until SoftTarget balances <paramref name="vip"/>:<paramref name="port"/> over exactly <paramref name="backends"/> members (0: no entry).</summary>
    public async Task WaitForBackendsAsync(string vip, int port, string protocol, int backends)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        int? seen;
        while ((seen = await BackendCountAsync(vip, port, protocol)) != (backends == 0 ? null : backends))
        {
            Assert.True(DateTime.UtcNow < deadline, $"{vip}:{port}/{protocol}: {seen?.ToString(CultureInfo.InvariantCulture) ?? "no entry"}, waited for {backends}\n{Node.Logs}");
            await Task.Delay(100);
        }
    }

    /// <summary>Members of the group SoftTarget's tx_balance entry for the VIP points at; null when there is no entry.</summary>
    public async Task<int?> BackendCountAsync(string vip, int port, string protocol)
    {
        var suffix = protocol.ToLowerInvariant();
        var balance = await ReadAsync(new Entity { TableEntry = new TableEntry { TableId = K8sDp.Names.Table("tx_balance_" + suffix).Id } });
        var entry = balance.Select(e => e.TableEntry).FirstOrDefault(e => Key(e, "hdr.ipv4.dst_addr") == K8sDp.Ip(vip) && Key(e, $"hdr.{suffix}.dst_port") == (ulong)port);
        if (entry is null)
        {
            return null;
        }

        // The manager deletes the entry before its group: a group gone by now means the entry is gone too.
        var groups = await ReadAsync(new Entity { ActionProfileGroup = new ActionProfileGroup { ActionProfileId = K8sDp.Names.ActionProfile("as_sl3_" + suffix).Id, GroupId = entry.Action.ActionProfileGroupId } });
        return groups.Count == 1 ? groups[0].ActionProfileGroup.Members.Count : null;
    }

    /// <summary>The VIP:port pairs SoftTarget balances for <paramref name="protocol"/>.</summary>
    public async Task<List<string>> BalancedVipsAsync(string protocol)
    {
        var suffix = protocol.ToLowerInvariant();
        var balance = await ReadAsync(new Entity { TableEntry = new TableEntry { TableId = K8sDp.Names.Table("tx_balance_" + suffix).Id } });
        return [.. balance.Select(e => $"{Address(Key(e.TableEntry, "hdr.ipv4.dst_addr"))}:{Key(e.TableEntry, $"hdr.{suffix}.dst_port")}").Order(StringComparer.Ordinal)];
    }

    /// <summary>The destination IPs of SoftTarget's ipv4_to_port_table: pods, the host interface and the node.</summary>
    public async Task<List<string>> RoutedAddressesAsync()
    {
        var routes = await ReadAsync(new Entity { TableEntry = new TableEntry { TableId = K8sDp.Names.Table("ipv4_to_port_table").Id } });
        return [.. routes.Select(e => Address(Key(e.TableEntry, "hdr.ipv4.dst_addr"))).Order(StringComparer.Ordinal)];
    }

    public async Task<List<Entity>> ReadAsync(Entity filter)
    {
        var request = new ReadRequest { DeviceId = Node.Target.DeviceId };
        request.Entities.Add(filter);
        using var call = new P4Runtime.P4RuntimeClient(_target).Read(request, deadline: DateTime.UtcNow.AddSeconds(30));
        var entities = new List<Entity>();
        await foreach (var response in call.ResponseStream.ReadAllAsync())
        {
            entities.AddRange(response.Entities);
        }

        return entities;
    }

    /// <summary>Three lines over one TCP connection to the VIP: the backend that answered all three, or null with what was seen.</summary>
    public async Task<(string? Backend, string Output)> TcpExchangeAsync(string fromIp, string vip, int port)
    {
        // socat connects to the VIP, so the client's kernel accepts only a SYN-ACK from the VIP: the answer came back through SNAT.
        var reply = await Pods[fromIp].ExecAsync(CommandTimeout, "sh", "-c", $"printf 'a\\nb\\nc\\n' | socat -T 3 - TCP:{vip}:{port},connect-timeout=5");
        var lines = reply.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var backend = lines.Length == 3 ? lines[0].Split(' ')[0] : null;
        return backend is not null && lines.SequenceEqual([$"{backend} a", $"{backend} b", $"{backend} c"]) ? (backend, reply.AllOutput) : (null, reply.AllOutput);
    }

    /// <summary>One datagram to the VIP and its answer: the backend that answered, or null with what was seen.</summary>
    public async Task<(string? Backend, string Output)> UdpExchangeAsync(string fromIp, string vip, int port, string query)
    {
        var reply = await Pods[fromIp].ExecAsync(CommandTimeout, "sh", "-c", $"echo {query} | socat -T 2 - UDP:{vip}:{port}");
        var line = reply.StandardOutput.Trim();
        return line.EndsWith(" " + query, StringComparison.Ordinal) ? (line.Split(' ')[0], reply.AllOutput) : (null, reply.AllOutput);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }

        _target.Dispose();
        _targetTls.Dispose();
        await Node.DisposeAsync();
        await Api.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>The value of an exact key field of a table entry read back, by its P4 name.</summary>
    private static ulong Key(TableEntry entry, string field)
    {
        var id = K8sDp.Names.Tables[entry.TableId].Field(field).Id;
        return P4Bytes.ToUInt64(entry.Match.Single(m => m.FieldId == id).Exact.Value.Span);
    }

    private static string Address(ulong value)
    {
        var bytes = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)value);
        return new System.Net.IPAddress(bytes).ToString();
    }
}
