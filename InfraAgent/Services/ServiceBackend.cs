using Packets;

namespace InfraAgent.Services;

/// <summary>A ready endpoint a service port balances to, with its resolved target port.</summary>
internal readonly record struct ServiceBackend(IPv4Address Ip, ushort Port) : IComparable<ServiceBackend>
{
    public int CompareTo(ServiceBackend other)
    {
        var byIp = Ip.Value.CompareTo(other.Ip.Value);
        return byIp != 0 ? byIp : Port.CompareTo(other.Port);
    }

    public override string ToString() => $"{Ip}:{Port}";
}
