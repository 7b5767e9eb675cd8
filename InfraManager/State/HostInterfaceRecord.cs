using Packets;

namespace InfraManager.State;

/// <summary>The node's host interface as SetupHostInterface last set it; its MAC is the SNAT side of every service.</summary>
internal sealed record HostInterfaceRecord(string Name, IPv4Address Ip, MacAddress Mac, uint PortId, IPv4Address NodeIp);
