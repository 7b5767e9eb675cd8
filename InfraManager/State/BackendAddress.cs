using Packets;

namespace InfraManager.State;

/// <summary>A service backend: a pod IP and its target port.</summary>
internal readonly record struct BackendAddress(IPv4Address Ip, ushort Port) : IComparable<BackendAddress>
{
    public int CompareTo(BackendAddress other)
    {
        var byIp = Ip.Value.CompareTo(other.Ip.Value);
        return byIp != 0 ? byIp : Port.CompareTo(other.Port);
    }

    public override string ToString() => $"{Ip}:{Port}";
}
