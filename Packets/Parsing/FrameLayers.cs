namespace Packets.Parsing;

/// <summary>Which headers <see cref="FrameHeaders.TryParse"/> found complete and well-formed.</summary>
[Flags]
public enum FrameLayers : ushort
{
    None = 0,
    Ethernet = 1 << 0,
    Vlan = 1 << 1,

    /// <summary>Ethernet/IPv4 ARP (htype 1, ptype 0x0800, hlen 6, plen 4), all 28 bytes present.</summary>
    Arp = 1 << 2,
    IPv4 = 1 << 3,

    /// <summary>A non-first IPv4 fragment: it carries no transport header, so no TCP/UDP/ICMP layer is set.</summary>
    IPv4Fragment = 1 << 4,
    Tcp = 1 << 5,
    Udp = 1 << 6,
    Icmp = 1 << 7,

    /// <summary>SCTP's 12-byte common header.</summary>
    Sctp = 1 << 8,

    /// <summary>UDP-Lite's 8-byte header (RFC 3828).</summary>
    UdpLite = 1 << 9,
}
