using Packets;

namespace InfraManager.State;

/// <summary>One service port as the data plane sees it: traffic to ClusterIp:Port over Protocol.</summary>
internal readonly record struct ServiceKey(IPv4Address ClusterIp, ServiceProtocol Protocol, ushort Port) : IComparable<ServiceKey>
{
    public int CompareTo(ServiceKey other)
    {
        var byIp = ClusterIp.Value.CompareTo(other.ClusterIp.Value);
        if (byIp != 0)
        {
            return byIp;
        }

        var byProtocol = Protocol.CompareTo(other.Protocol);
        return byProtocol != 0 ? byProtocol : Port.CompareTo(other.Port);
    }

    /// <summary>"10.96.0.10:UDP:53", the Go store's key.</summary>
    public override string ToString() => $"{ClusterIp}:{Protocol.Name()}:{Port}";
}
