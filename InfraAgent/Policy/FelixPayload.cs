using Proto.Felix;
using Case = Proto.Felix.ToDataplane.PayloadOneofCase;

namespace InfraAgent.Policy;

/// <summary>What a <see cref="ToDataplane"/> carries, for log lines and metrics: the payload's message name and its id.</summary>
internal readonly record struct FelixPayload(string Type, string Id)
{
    public static FelixPayload Of(ToDataplane message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return message.PayloadCase switch
        {
            Case.InSync => new("InSync", string.Empty),
            Case.IpsetUpdate => new("IPSetUpdate", message.IpsetUpdate.Id),
            Case.IpsetDeltaUpdate => new("IPSetDeltaUpdate", message.IpsetDeltaUpdate.Id),
            Case.IpsetRemove => new("IPSetRemove", message.IpsetRemove.Id),
            Case.ActiveProfileUpdate => new("ActiveProfileUpdate", Profile(message.ActiveProfileUpdate.Id)),
            Case.ActiveProfileRemove => new("ActiveProfileRemove", Profile(message.ActiveProfileRemove.Id)),
            Case.ActivePolicyUpdate => new("ActivePolicyUpdate", Policy(message.ActivePolicyUpdate.Id)),
            Case.ActivePolicyRemove => new("ActivePolicyRemove", Policy(message.ActivePolicyRemove.Id)),
            Case.HostEndpointUpdate => new("HostEndpointUpdate", message.HostEndpointUpdate.Id?.EndpointId ?? string.Empty),
            Case.HostEndpointRemove => new("HostEndpointRemove", message.HostEndpointRemove.Id?.EndpointId ?? string.Empty),
            Case.WorkloadEndpointUpdate => new("WorkloadEndpointUpdate", Workload(message.WorkloadEndpointUpdate.Id)),
            Case.WorkloadEndpointRemove => new("WorkloadEndpointRemove", Workload(message.WorkloadEndpointRemove.Id)),
            Case.ConfigUpdate => new("ConfigUpdate", string.Empty),
            Case.HostMetadataUpdate => new("HostMetadataUpdate", message.HostMetadataUpdate.Hostname),
            Case.HostMetadataRemove => new("HostMetadataRemove", message.HostMetadataRemove.Hostname),
            Case.IpamPoolUpdate => new("IPAMPoolUpdate", message.IpamPoolUpdate.Id),
            Case.IpamPoolRemove => new("IPAMPoolRemove", message.IpamPoolRemove.Id),
            Case.ServiceAccountUpdate => new("ServiceAccountUpdate", ServiceAccount(message.ServiceAccountUpdate.Id)),
            Case.ServiceAccountRemove => new("ServiceAccountRemove", ServiceAccount(message.ServiceAccountRemove.Id)),
            Case.NamespaceUpdate => new("NamespaceUpdate", message.NamespaceUpdate.Id?.Name ?? string.Empty),
            Case.NamespaceRemove => new("NamespaceRemove", message.NamespaceRemove.Id?.Name ?? string.Empty),
            Case.RouteUpdate => new("RouteUpdate", message.RouteUpdate.Dst),
            Case.RouteRemove => new("RouteRemove", message.RouteRemove.Dst),
            Case.VtepUpdate => new("VXLANTunnelEndpointUpdate", message.VtepUpdate.Node),
            Case.VtepRemove => new("VXLANTunnelEndpointRemove", message.VtepRemove.Node),
            Case.WireguardEndpointUpdate => new("WireguardEndpointUpdate", message.WireguardEndpointUpdate.Hostname),
            Case.WireguardEndpointRemove => new("WireguardEndpointRemove", message.WireguardEndpointRemove.Hostname),
            Case.GlobalBgpConfigUpdate => new("GlobalBGPConfigUpdate", string.Empty),
            // A newer Felix's payload: its field numbers are kept as unknown fields by the parser.
            _ => new("unknown", string.Empty),
        };
    }

    public override string ToString() => Id.Length == 0 ? Type : $"{Type} {Id}";

    private static string Profile(ProfileID? id) => id?.Name ?? string.Empty;

    private static string Policy(PolicyID? id) => id is null ? string.Empty : $"{id.Tier}/{id.Name}";

    private static string Workload(WorkloadEndpointID? id) => id is null ? string.Empty : $"{id.OrchestratorId}/{id.WorkloadId}/{id.EndpointId}";

    private static string ServiceAccount(ServiceAccountID? id) => id is null ? string.Empty : $"{id.Namespace}/{id.Name}";
}
