using Packets;

namespace InfraAgent.Services;

/// <summary>One service port as the manager keys it: traffic to Ip:Port over Protocol.</summary>
internal readonly record struct ServiceKey(IPv4Address Ip, ServiceProtocol Protocol, ushort Port) : IComparable<ServiceKey>
{
    public string ProtocolName => Protocol == ServiceProtocol.Tcp ? "TCP" : "UDP";

    public int CompareTo(ServiceKey other)
    {
        var byIp = Ip.Value.CompareTo(other.Ip.Value);
        if (byIp != 0)
        {
            return byIp;
        }

        var byProtocol = Protocol.CompareTo(other.Protocol);
        return byProtocol != 0 ? byProtocol : Port.CompareTo(other.Port);
    }

    public override string ToString() => $"{Ip}:{Port}/{ProtocolName}";
}
