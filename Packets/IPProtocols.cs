namespace Packets;

/// <summary>IPv4 protocol numbers the parser knows.</summary>
public static class IPProtocols
{
    public const byte Icmp = 1;
    public const byte Tcp = 6;
    public const byte Udp = 17;
    public const byte Sctp = 132;

    /// <summary>UDP-Lite (RFC 3828).</summary>
    public const byte UdpLite = 136;
}
