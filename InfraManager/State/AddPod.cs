using Packets;

namespace InfraManager.State;

/// <summary>CreateNetwork: route <paramref name="Ip"/> to the pod's TAP port with its MAC.</summary>
internal sealed record AddPod(IPv4Address Ip, MacAddress Mac, uint PortId, string InterfaceName) : StateCommand
{
    public override ManagerState Apply(ManagerState state, IdAllocator ids)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (Ip == Tables.DesiredEntities.Gateway)
        {
            throw new CommandRejectedException($"{Ip} is the pods' gateway address (the ARP proxy's), not a pod address");
        }

        var wanted = new EndpointRecord(Ip, Mac, PortId, InterfaceName, EndpointKind.Pod);
        if (state.Endpoints.TryGetValue(Ip, out var existing))
        {
            if (existing == wanted)
            {
                return state;
            }

            throw new CommandRejectedException($"A different entry for {Ip} already exists: {Describe(existing)}");
        }

        return state with { Endpoints = state.Endpoints.SetItem(Ip, wanted) };
    }

    public override string ToString() => $"pod {Ip} mac {Mac} on {InterfaceName} (port {PortId})";

    internal static string Describe(EndpointRecord endpoint) => endpoint.Kind switch
    {
        EndpointKind.Pod => $"pod with mac {endpoint.Mac} on {Name(endpoint)} (port {endpoint.PortId})",
        EndpointKind.HostInterface => $"the host interface {Name(endpoint)} (port {endpoint.PortId})",
        _ => $"the node IP, routed to the host interface (port {endpoint.PortId})",
    };

    private static string Name(EndpointRecord endpoint) => endpoint.InterfaceName.Length > 0 ? endpoint.InterfaceName : "an interface";
}
