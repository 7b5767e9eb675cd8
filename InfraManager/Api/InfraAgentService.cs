using System.Net.Sockets;
using Google.Protobuf;
using Grpc.Core;
using InfraManager.P4;
using InfraManager.Policy;
using InfraManager.Reconcile;
using InfraManager.State;
using Packets;
using Proto.Cni;
using Proto.Felix;
using Proto.Infra;

namespace InfraManager.Api;

/// <summary>
/// infra.InfraAgent for the agent: parses each request (bad input: InvalidArgument naming the field),
/// looks up TAP ports over gNMI, and hands the change to the <see cref="StateController"/>. A request
/// the data plane could not take is answered with successful = false and the reason, and nothing of
/// it is kept; success means the change is on the target and on disk.
/// </summary>
internal sealed class InfraAgentService : InfraAgent.InfraAgentBase
{
    private readonly StateController _controller;
    private readonly PortLookup _ports;
    private readonly IPv4Address _nodeIp;
    private readonly ILogger<InfraAgentService> _logger;

    public InfraAgentService(StateController controller, PortLookup ports, StateOptions options, ILogger<InfraAgentService> logger)
    {
        ArgumentNullException.ThrowIfNull(controller);
        ArgumentNullException.ThrowIfNull(ports);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _controller = controller;
        _ports = ports;
        _nodeIp = options.NodeAddress;
        _logger = logger;
    }

    public override async Task<AddReply> CreateNetwork(CreateNetworkRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var ip = AgentRequestTranslator.PodAddress(request);
        var name = AgentRequestTranslator.InterfaceName(request.HostIfName, "host_if_name");
        var mac = AgentRequestTranslator.Mac(request.MacAddr, "mac_addr");
        var (port, lookupError) = await PortAsync(name, context.CancellationToken);
        var outcome = lookupError is null
            ? await _controller.SubmitAsync(new AddPod(ip, mac, port, name), context.CancellationToken)
            : CommandOutcome.Failed(lookupError);
        return outcome.Succeeded
            ? new AddReply { Successful = true, HostInterfaceName = request.AddRequest.DesiredHostInterfaceName, ContainerMac = mac.ToString() }
            : new AddReply { Successful = false, ErrorMessage = outcome.Error };
    }

    public override async Task<DelReply> DeleteNetwork(DeleteNetworkRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var ip = AgentRequestTranslator.Ipv4(request.Ipv4Addr, "ipv4_addr");
        var outcome = await _controller.SubmitAsync(new DeletePod(ip), context.CancellationToken);
        return new DelReply { Successful = outcome.Succeeded, ErrorMessage = outcome.Error };
    }

    public override async Task<Reply> SetupHostInterface(SetupHostInterfaceRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var name = AgentRequestTranslator.InterfaceName(request.IfName, "if_name");
        var ip = AgentRequestTranslator.Ipv4(request.Ipv4Addr, "ipv4_addr");
        var mac = AgentRequestTranslator.Mac(request.MacAddr, "mac_addr");
        var (port, lookupError) = await PortAsync(name, context.CancellationToken);
        return lookupError is null
            ? ToReply(await _controller.SubmitAsync(new SetupHost(name, ip, mac, port, _nodeIp), context.CancellationToken))
            : ToReply(CommandOutcome.Failed(lookupError));
    }

    public override async Task<Reply> NatTranslationAdd(NatTranslation request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var service = AgentRequestTranslator.Service(request);
        var backends = AgentRequestTranslator.Backends(request);
        return ToReply(await _controller.SubmitAsync(new SetService(service, backends), context.CancellationToken));
    }

    public override async Task<Reply> NatTranslationDelete(NatTranslation request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var service = AgentRequestTranslator.Service(request);
        return ToReply(await _controller.SubmitAsync(new DeleteService(service), context.CancellationToken));
    }

    public override Task<Reply> SetSnatAddress(SetSnatAddressRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var ipv4 = AgentRequestTranslator.OptionalIp(request.SnatIpv4, AddressFamily.InterNetwork, "snat_ipv4");
        var ipv6 = AgentRequestTranslator.OptionalIp(request.SnatIpv6, AddressFamily.InterNetworkV6, "snat_ipv6");
        return SubmitAsync(new RecordSnat(ipv4, ipv6, null, false), context);
    }

    public override Task<Reply> AddDelSnatPrefix(AddDelSnatPrefixRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        return SubmitAsync(new RecordSnat(null, null, AgentRequestTranslator.Prefix(request.Prefix, "prefix"), request.IsAdd), context);
    }

    public override async Task<Reply> ActivePolicyUpdate(ActivePolicyUpdate request, ServerCallContext context)
    {
        var key = $"{PolicyTranslator.PolicyKind}{Required(request?.Id?.Tier, "id.tier")}/{Required(request?.Id?.Name, "id.name")}";
        return Explain(key, await Record(key, request, context));
    }

    public override Task<Reply> ActivePolicyRemove(ActivePolicyRemove request, ServerCallContext context) =>
        Record($"{PolicyTranslator.PolicyKind}{Required(request?.Id?.Tier, "id.tier")}/{Required(request?.Id?.Name, "id.name")}", null, context);

    public override Task<Reply> UpdateIPSet(IPSetUpdate request, ServerCallContext context) =>
        Record(RecordIpSetDelta.KeyOf(Required(request?.Id, "id")), request, context);

    public override Task<Reply> UpdateIPSetDelta(IPSetDeltaUpdate request, ServerCallContext context)
    {
        var id = Required(request?.Id, "id");
        return SubmitAsync(new RecordIpSetDelta(id, [.. request!.AddedMembers], [.. request.RemovedMembers]), context); // Required threw if request were null
    }

    public override Task<Reply> RemoveIPSet(IPSetRemove request, ServerCallContext context) =>
        Record(RecordIpSetDelta.KeyOf(Required(request?.Id, "id")), null, context);

    public override async Task<Reply> UpdateActiveProfile(ActiveProfileUpdate request, ServerCallContext context)
    {
        var key = PolicyTranslator.ProfileKind + Required(request?.Id?.Name, "id.name");
        return Explain(key, await Record(key, request, context));
    }

    public override Task<Reply> RemoveActiveProfile(ActiveProfileRemove request, ServerCallContext context) =>
        Record(PolicyTranslator.ProfileKind + Required(request?.Id?.Name, "id.name"), null, context);

    public override Task<Reply> UpdateHostEndpoint(HostEndpointUpdate request, ServerCallContext context) =>
        Record("HostEndpoint/" + Required(request?.Id?.EndpointId, "id.endpoint_id"), request, context);

    public override Task<Reply> RemoveHostEndpoint(HostEndpointRemove request, ServerCallContext context) =>
        Record("HostEndpoint/" + Required(request?.Id?.EndpointId, "id.endpoint_id"), null, context);

    public override async Task<Reply> UpdateLocalEndpoint(WorkloadEndpointUpdate request, ServerCallContext context)
    {
        var key = WorkloadKey(request?.Id);
        return Explain(key, await Record(key, request, context));
    }

    public override Task<Reply> RemoveLocalEndpoint(WorkloadEndpointRemove request, ServerCallContext context) =>
        Record(WorkloadKey(request?.Id), null, context);

    public override Task<Reply> UpdateHostMetaData(HostMetadataUpdate request, ServerCallContext context) =>
        Record("HostMetadata/" + Required(request?.Hostname, "hostname"), request, context);

    public override Task<Reply> RemoveHostMetaData(HostMetadataRemove request, ServerCallContext context) =>
        Record("HostMetadata/" + Required(request?.Hostname, "hostname"), null, context);

    public override Task<Reply> UpdateServiceAccount(ServiceAccountUpdate request, ServerCallContext context) =>
        Record($"ServiceAccount/{Required(request?.Id?.Namespace, "id.namespace")}/{Required(request?.Id?.Name, "id.name")}", request, context);

    public override Task<Reply> RemoveServiceAccount(ServiceAccountRemove request, ServerCallContext context) =>
        Record($"ServiceAccount/{Required(request?.Id?.Namespace, "id.namespace")}/{Required(request?.Id?.Name, "id.name")}", null, context);

    public override Task<Reply> UpdateNamespace(NamespaceUpdate request, ServerCallContext context) =>
        Record("Namespace/" + Required(request?.Id?.Name, "id.name"), request, context);

    public override Task<Reply> RemoveNamespace(NamespaceRemove request, ServerCallContext context) =>
        Record("Namespace/" + Required(request?.Id?.Name, "id.name"), null, context);

    public override Task<Reply> UpdateRoute(RouteUpdate request, ServerCallContext context) =>
        Record("Route/" + Required(request?.Dst, "dst"), request, context);

    public override Task<Reply> RemoveRoute(RouteRemove request, ServerCallContext context) =>
        Record("Route/" + Required(request?.Dst, "dst"), null, context);

    public override Task<Reply> UpdateVXLANTunnelEndpoint(VXLANTunnelEndpointUpdate request, ServerCallContext context) =>
        Record("VXLANTunnelEndpoint/" + Required(request?.Node, "node"), request, context);

    public override Task<Reply> RemoveVXLANTunnelEndpoint(VXLANTunnelEndpointRemove request, ServerCallContext context) =>
        Record("VXLANTunnelEndpoint/" + Required(request?.Node, "node"), null, context);

    public override Task<Reply> UpdateWireguardEndpoint(WireguardEndpointUpdate request, ServerCallContext context) =>
        Record("WireguardEndpoint/" + Required(request?.Hostname, "hostname"), request, context);

    public override Task<Reply> RemoveWireguardEndpoint(WireguardEndpointRemove request, ServerCallContext context) =>
        Record("WireguardEndpoint/" + Required(request?.Hostname, "hostname"), null, context);

    public override Task<Reply> UpdateGlobalBGPConfig(GlobalBGPConfigUpdate request, ServerCallContext context) =>
        Record("GlobalBGPConfig", request ?? throw AgentRequestTranslator.Invalid("request", "required"), context);

    /// <summary>
    /// A policy, profile or endpoint that was recorded but leaves a pod direction closed because k8s_dp
    /// cannot express a rule: the reply says so (successful = false, though the record stands and is
    /// enforced, closed) and the log names the field, rather than letting through what the rule stops.
    /// </summary>
    private Reply Explain(string key, Reply reply)
    {
        if (!reply.Successful)
        {
            return reply;
        }

        var plan = _controller.Acl;
        string? reason = null;
        if (plan.Problems.TryGetValue(key, out var problem))
        {
            reason = $"recorded, but k8s_dp cannot express it: {problem}; every pod direction it applies to drops all its traffic until it changes";
        }
        else if (key.StartsWith(PolicyTranslator.WorkloadKind, StringComparison.Ordinal))
        {
            var prefix = key[PolicyTranslator.WorkloadKind.Length..] + " ";
            var closed = plan.Closed.Where(c => c.Key.StartsWith(prefix, StringComparison.Ordinal)).Select(c => $"{c.Key[prefix.Length..]} closed: {c.Value}").ToList();
            if (closed.Count > 0)
            {
                reason = "recorded; " + string.Join("; ", closed);
            }
        }

        if (reason is null)
        {
            return reply;
        }

        ApiLog.PolicyNotExpressible(_logger, key, reason);
        return new Reply { Successful = false, ErrorMessage = $"{key}: {reason}" };
    }

    private Task<Reply> Record(string key, IMessage? update, ServerCallContext context) =>
        SubmitAsync(new RecordFelix(key, update?.ToByteString()), context);

    private async Task<Reply> SubmitAsync(StateCommand command, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return ToReply(await _controller.SubmitAsync(command, context.CancellationToken));
    }

    private async Task<(uint Port, string? Error)> PortAsync(string interfaceName, CancellationToken cancellationToken)
    {
        try
        {
            return (await _ports.PortIdAsync(interfaceName, cancellationToken), null);
        }
        catch (PortLookupException e)
        {
            return (0, e.Message);
        }
    }

    private static string WorkloadKey(WorkloadEndpointID? id) =>
        $"{PolicyTranslator.WorkloadKind}{Required(id?.OrchestratorId, "id.orchestrator_id")}/{Required(id?.WorkloadId, "id.workload_id")}/{Required(id?.EndpointId, "id.endpoint_id")}";

    private static string Required(string? value, string field) =>
        string.IsNullOrEmpty(value) ? throw AgentRequestTranslator.Invalid(field, "required") : value;

    private static Reply ToReply(CommandOutcome outcome) => new() { Successful = outcome.Succeeded, ErrorMessage = outcome.Error };
}
