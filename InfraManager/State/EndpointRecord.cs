using Packets;

namespace InfraManager.State;

/// <summary>
/// An IP the pipeline delivers to a port: arpt_to_port_table{Ip → Port} and
/// ipv4_to_port_table{Ip → Port, Mac}. InterfaceName is the TAP the port was looked up for (empty
/// for entries imported from the Go store, which did not keep it).
/// </summary>
internal sealed record EndpointRecord(IPv4Address Ip, MacAddress Mac, uint PortId, string InterfaceName, EndpointKind Kind);
