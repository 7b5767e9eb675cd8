using Packets;

namespace InfraManager.State;

/// <summary>
/// SetupHostInterface: the host interface's IP and the node's IP are routed to its TAP port with its
/// MAC. A new IP or MAC replaces the old entries (make before break is per entry: a changed key is a
/// delete and an insert, a changed MAC a modify).
/// </summary>
internal sealed record SetupHost(string InterfaceName, IPv4Address Ip, MacAddress Mac, uint PortId, IPv4Address NodeIp) : StateCommand
{
    public override ManagerState Apply(ManagerState state, IdAllocator ids)
    {
        ArgumentNullException.ThrowIfNull(state);
        var host = new HostInterfaceRecord(InterfaceName, Ip, Mac, PortId, NodeIp);
        if (host == state.Host)
        {
            return state;
        }

        var endpoints = state.Endpoints;
        if (state.Host is { } old)
        {
            endpoints = endpoints.Remove(old.Ip).Remove(old.NodeIp);
        }

        foreach (var (ip, kind) in new[] { (Ip, EndpointKind.HostInterface), (NodeIp, EndpointKind.NodeIp) })
        {
            if (ip == Tables.DesiredEntities.Gateway)
            {
                throw new CommandRejectedException($"{ip} is the pods' gateway address (the ARP proxy's)");
            }

            if (endpoints.TryGetValue(ip, out var existing))
            {
                if (ip == Ip && kind == EndpointKind.NodeIp)
                {
                    // The node IP is the host interface's own IP: one pair of entries serves both.
                    continue;
                }

                throw new CommandRejectedException($"A different entry for {ip} already exists: {AddPod.Describe(existing)}");
            }

            endpoints = endpoints.SetItem(ip, new EndpointRecord(ip, Mac, PortId, InterfaceName, kind));
        }

        return state with { Endpoints = endpoints, Host = host };
    }

    public override string ToString() => $"host interface {InterfaceName} {Ip} mac {Mac} (port {PortId}), node IP {NodeIp}";
}
