namespace Packets;

/// <summary>IPv4 protocol numbers the parser knows.</summary>
public static class IPProtocols
{
    public const byte Icmp = 1;
    public const byte Tcp = 6;
    public const byte Udp = 17;
}
