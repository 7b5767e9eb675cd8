using Google.Protobuf;
using Grpc.Core;
using Proto.Felix;
using Proto.Infra;

namespace InfraAgent.Tests.Services;

/// <summary>The Felix RPCs: each call recorded in arrival order as (RPC, request), answered by <see cref="FelixAnswer"/>.</summary>
public sealed partial class RecordingManager
{
    private readonly List<(string Rpc, IMessage Request)> _felixCalls = [];

    /// <summary>The reply for a Felix call, or null for success; it may throw an <see cref="RpcException"/>.</summary>
    public Func<string, IMessage, Reply?>? FelixAnswer { get; set; }

    /// <summary>Every Felix call received, refused ones included, in order.</summary>
    public IReadOnlyList<(string Rpc, IMessage Request)> FelixCalls
    {
        get
        {
            lock (_gate)
            {
                return [.. _felixCalls];
            }
        }
    }

    private Task<Reply> RecordFelix(string rpc, IMessage request)
    {
        lock (_gate)
        {
            _felixCalls.Add((rpc, request));
        }

        return Task.FromResult(FelixAnswer?.Invoke(rpc, request) ?? new Reply { Successful = true });
    }

    private sealed partial class Recorder
    {
        public override Task<Reply> UpdateIPSet(IPSetUpdate request, ServerCallContext context) => manager.RecordFelix(nameof(UpdateIPSet), request);

        public override Task<Reply> UpdateIPSetDelta(IPSetDeltaUpdate request, ServerCallContext context) => manager.RecordFelix(nameof(UpdateIPSetDelta), request);

        public override Task<Reply> RemoveIPSet(IPSetRemove request, ServerCallContext context) => manager.RecordFelix(nameof(RemoveIPSet), request);

        public override Task<Reply> ActivePolicyUpdate(ActivePolicyUpdate request, ServerCallContext context) => manager.RecordFelix(nameof(ActivePolicyUpdate), request);

        public override Task<Reply> ActivePolicyRemove(ActivePolicyRemove request, ServerCallContext context) => manager.RecordFelix(nameof(ActivePolicyRemove), request);

        public override Task<Reply> UpdateActiveProfile(ActiveProfileUpdate request, ServerCallContext context) => manager.RecordFelix(nameof(UpdateActiveProfile), request);

        public override Task<Reply> RemoveActiveProfile(ActiveProfileRemove request, ServerCallContext context) => manager.RecordFelix(nameof(RemoveActiveProfile), request);

        public override Task<Reply> UpdateHostEndpoint(HostEndpointUpdate request, ServerCallContext context) => manager.RecordFelix(nameof(UpdateHostEndpoint), request);

        public override Task<Reply> RemoveHostEndpoint(HostEndpointRemove request, ServerCallContext context) => manager.RecordFelix(nameof(RemoveHostEndpoint), request);

        public override Task<Reply> UpdateLocalEndpoint(WorkloadEndpointUpdate request, ServerCallContext context) => manager.RecordFelix(nameof(UpdateLocalEndpoint), request);

        public override Task<Reply> RemoveLocalEndpoint(WorkloadEndpointRemove request, ServerCallContext context) => manager.RecordFelix(nameof(RemoveLocalEndpoint), request);

        public override Task<Reply> UpdateHostMetaData(HostMetadataUpdate request, ServerCallContext context) => manager.RecordFelix(nameof(UpdateHostMetaData), request);

        public override Task<Reply> RemoveHostMetaData(HostMetadataRemove request, ServerCallContext context) => manager.RecordFelix(nameof(RemoveHostMetaData), request);

        public override Task<Reply> UpdateServiceAccount(ServiceAccountUpdate request, ServerCallContext context) => manager.RecordFelix(nameof(UpdateServiceAccount), request);

        public override Task<Reply> RemoveServiceAccount(ServiceAccountRemove request, ServerCallContext context) => manager.RecordFelix(nameof(RemoveServiceAccount), request);

        public override Task<Reply> UpdateNamespace(NamespaceUpdate request, ServerCallContext context) => manager.RecordFelix(nameof(UpdateNamespace), request);

        public override Task<Reply> RemoveNamespace(NamespaceRemove request, ServerCallContext context) => manager.RecordFelix(nameof(RemoveNamespace), request);

        public override Task<Reply> UpdateRoute(RouteUpdate request, ServerCallContext context) => manager.RecordFelix(nameof(UpdateRoute), request);

        public override Task<Reply> RemoveRoute(RouteRemove request, ServerCallContext context) => manager.RecordFelix(nameof(RemoveRoute), request);

        public override Task<Reply> UpdateVXLANTunnelEndpoint(VXLANTunnelEndpointUpdate request, ServerCallContext context) => manager.RecordFelix(nameof(UpdateVXLANTunnelEndpoint), request);

        public override Task<Reply> RemoveVXLANTunnelEndpoint(VXLANTunnelEndpointRemove request, ServerCallContext context) => manager.RecordFelix(nameof(RemoveVXLANTunnelEndpoint), request);

        public override Task<Reply> UpdateWireguardEndpoint(WireguardEndpointUpdate request, ServerCallContext context) => manager.RecordFelix(nameof(UpdateWireguardEndpoint), request);

        public override Task<Reply> RemoveWireguardEndpoint(WireguardEndpointRemove request, ServerCallContext context) => manager.RecordFelix(nameof(RemoveWireguardEndpoint), request);

        public override Task<Reply> UpdateGlobalBGPConfig(GlobalBGPConfigUpdate request, ServerCallContext context) => manager.RecordFelix(nameof(UpdateGlobalBGPConfig), request);
    }
}
