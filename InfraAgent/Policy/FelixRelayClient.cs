using Grpc.Core;
using Proto.Felix;
using Proto.Infra;
using Case = Proto.Felix.ToDataplane.PayloadOneofCase;

namespace InfraAgent.Policy;

/// <summary>
/// The policy side of infra.InfraAgent: each Felix payload that has a manager RPC, sent over the agent's one
/// manager channel (the dispatch table of reference-behaviour.md 6.9, with Wireguard and GlobalBGPConfig too,
/// which infra.proto declares).
/// </summary>
internal sealed class FelixRelayClient
{
    private readonly Proto.Infra.InfraAgent.InfraAgentClient _manager;

    public FelixRelayClient(Proto.Infra.InfraAgent.InfraAgentClient manager)
    {
        ArgumentNullException.ThrowIfNull(manager);
        _manager = manager;
    }

    /// <summary>The manager RPC for <paramref name="message"/>'s payload, or null when it has none (InSync, ConfigUpdate, IPAM pools, unknown).</summary>
    public FelixRelayRpc? RpcFor(ToDataplane message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return message.PayloadCase switch
        {
            Case.IpsetUpdate => new("UpdateIPSet", options => _manager.UpdateIPSetAsync(message.IpsetUpdate, options)),
            Case.IpsetDeltaUpdate => new("UpdateIPSetDelta", options => _manager.UpdateIPSetDeltaAsync(message.IpsetDeltaUpdate, options)),
            Case.IpsetRemove => new("RemoveIPSet", options => _manager.RemoveIPSetAsync(message.IpsetRemove, options)),
            Case.ActivePolicyUpdate => new("ActivePolicyUpdate", options => _manager.ActivePolicyUpdateAsync(message.ActivePolicyUpdate, options)),
            Case.ActivePolicyRemove => new("ActivePolicyRemove", options => _manager.ActivePolicyRemoveAsync(message.ActivePolicyRemove, options)),
            Case.ActiveProfileUpdate => new("UpdateActiveProfile", options => _manager.UpdateActiveProfileAsync(message.ActiveProfileUpdate, options)),
            Case.ActiveProfileRemove => new("RemoveActiveProfile", options => _manager.RemoveActiveProfileAsync(message.ActiveProfileRemove, options)),
            Case.HostEndpointUpdate => new("UpdateHostEndpoint", options => _manager.UpdateHostEndpointAsync(message.HostEndpointUpdate, options)),
            Case.HostEndpointRemove => new("RemoveHostEndpoint", options => _manager.RemoveHostEndpointAsync(message.HostEndpointRemove, options)),
            Case.WorkloadEndpointUpdate => new("UpdateLocalEndpoint", options => _manager.UpdateLocalEndpointAsync(message.WorkloadEndpointUpdate, options)),
            Case.WorkloadEndpointRemove => new("RemoveLocalEndpoint", options => _manager.RemoveLocalEndpointAsync(message.WorkloadEndpointRemove, options)),
            Case.HostMetadataUpdate => new("UpdateHostMetaData", options => _manager.UpdateHostMetaDataAsync(message.HostMetadataUpdate, options)),
            Case.HostMetadataRemove => new("RemoveHostMetaData", options => _manager.RemoveHostMetaDataAsync(message.HostMetadataRemove, options)),
            Case.ServiceAccountUpdate => new("UpdateServiceAccount", options => _manager.UpdateServiceAccountAsync(message.ServiceAccountUpdate, options)),
            Case.ServiceAccountRemove => new("RemoveServiceAccount", options => _manager.RemoveServiceAccountAsync(message.ServiceAccountRemove, options)),
            Case.NamespaceUpdate => new("UpdateNamespace", options => _manager.UpdateNamespaceAsync(message.NamespaceUpdate, options)),
            Case.NamespaceRemove => new("RemoveNamespace", options => _manager.RemoveNamespaceAsync(message.NamespaceRemove, options)),
            Case.RouteUpdate => new("UpdateRoute", options => _manager.UpdateRouteAsync(message.RouteUpdate, options)),
            Case.RouteRemove => new("RemoveRoute", options => _manager.RemoveRouteAsync(message.RouteRemove, options)),
            Case.VtepUpdate => new("UpdateVXLANTunnelEndpoint", options => _manager.UpdateVXLANTunnelEndpointAsync(message.VtepUpdate, options)),
            Case.VtepRemove => new("RemoveVXLANTunnelEndpoint", options => _manager.RemoveVXLANTunnelEndpointAsync(message.VtepRemove, options)),
            Case.WireguardEndpointUpdate => new("UpdateWireguardEndpoint", options => _manager.UpdateWireguardEndpointAsync(message.WireguardEndpointUpdate, options)),
            Case.WireguardEndpointRemove => new("RemoveWireguardEndpoint", options => _manager.RemoveWireguardEndpointAsync(message.WireguardEndpointRemove, options)),
            Case.GlobalBgpConfigUpdate => new("UpdateGlobalBGPConfig", options => _manager.UpdateGlobalBGPConfigAsync(message.GlobalBgpConfigUpdate, options)),
            _ => null,
        };
    }
}
