using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Packets.Parsing;

/// <summary>
/// The headers of one Ethernet frame, read without allocating. A header whose bytes are missing or
/// inconsistent (truncated frame, IHL below 5, total length beyond the frame) leaves its layer unset
/// instead of throwing, so any bytes at all can be parsed. Offsets count from the first byte of the
/// Ethernet header (slice off a virtio_net_hdr first).
/// </summary>
[StructLayout(LayoutKind.Auto)]
public struct FrameHeaders
{
    public const int EthernetLength = 14;
    public const int VlanTagLength = 4;
    public const int ArpLength = 28;
    public const int IPv4MinimumLength = 20;
    public const int TcpMinimumLength = 20;
    public const int UdpLength = 8;
    public const int IcmpMinimumLength = 4;

    /// <summary>The ICMP header with its rest-of-header word (identifier and sequence of an echo).</summary>
    public const int IcmpHeaderLength = 8;
    public const int SctpCommonHeaderLength = 12;
    public const int UdpLiteLength = 8;

    public FrameLayers Layers { get; private set; }

    public MacAddress DestinationMac { get; private set; }

    public MacAddress SourceMac { get; private set; }

    /// <summary>The 802.1Q tag control information (PCP, DEI, VID) when <see cref="FrameLayers.Vlan"/> is set.</summary>
    public ushort VlanTci { get; private set; }

    /// <summary>The EtherType of the payload: after the VLAN tag when there is one.</summary>
    public ushort EtherType { get; private set; }

    /// <summary>Where the ARP or IPv4 header starts: 14, or 18 behind a VLAN tag.</summary>
    public int L3Offset { get; private set; }

    public ushort ArpHardwareType { get; private set; }

    public ushort ArpProtocolType { get; private set; }

    public byte ArpHardwareLength { get; private set; }

    public byte ArpProtocolLength { get; private set; }

    public ushort ArpOperation { get; private set; }

    public MacAddress ArpSenderMac { get; private set; }

    public IPv4Address ArpSenderIp { get; private set; }

    public MacAddress ArpTargetMac { get; private set; }

    public IPv4Address ArpTargetIp { get; private set; }

    /// <summary>IHL × 4, options included.</summary>
    public int IPv4HeaderLength { get; private set; }

    /// <summary>The IPv4 total length field; the frame may be longer (Ethernet padding), never shorter.</summary>
    public int IPv4TotalLength { get; private set; }

    /// <summary>Flags (3 bits) and fragment offset (13 bits) as on the wire.</summary>
    public ushort IPv4FlagsFragment { get; private set; }

    public byte IPv4Ttl { get; private set; }

    public byte IPv4Protocol { get; private set; }

    public IPv4Address IPv4Source { get; internal set; }

    public IPv4Address IPv4Destination { get; internal set; }

    /// <summary>Where the TCP, UDP, SCTP, UDP-Lite or ICMP header starts (L3 offset + IHL × 4).</summary>
    public int L4Offset { get; private set; }

    /// <summary>TCP, UDP, SCTP or UDP-Lite source port.</summary>
    public ushort SourcePort { get; internal set; }

    /// <summary>TCP, UDP, SCTP or UDP-Lite destination port.</summary>
    public ushort DestinationPort { get; internal set; }

    /// <summary>The TCP flags byte; compare with <see cref="Parsing.TcpFlags"/>. k8s_dp's "pure SYN" is exactly 0x02.</summary>
    public byte TcpFlags { get; private set; }

    /// <summary>Data offset × 4, options included.</summary>
    public int TcpHeaderLength { get; private set; }

    public byte IcmpType { get; private set; }

    public byte IcmpCode { get; private set; }

    /// <summary>The identifier of the rest-of-header word (an echo's); 0 when the ICMP message is shorter than 8 bytes.</summary>
    public ushort IcmpIdentifier { get; private set; }

    /// <summary>The sequence number of the rest-of-header word (an echo's); 0 when the ICMP message is shorter than 8 bytes.</summary>
    public ushort IcmpSequence { get; private set; }

    /// <summary>Type and code as one 16-bit field (type &lt;&lt; 8 | code), as k8s_dp's icmp_t reads them.</summary>
    public readonly ushort IcmpTypeCode => (ushort)((IcmpType << 8) | IcmpCode);

    public readonly bool HasVlan => (Layers & FrameLayers.Vlan) != 0;

    public readonly bool HasArp => (Layers & FrameLayers.Arp) != 0;

    public readonly bool HasIPv4 => (Layers & FrameLayers.IPv4) != 0;

    public readonly bool HasTcp => (Layers & FrameLayers.Tcp) != 0;

    public readonly bool HasUdp => (Layers & FrameLayers.Udp) != 0;

    public readonly bool HasIcmp => (Layers & FrameLayers.Icmp) != 0;

    public readonly bool HasSctp => (Layers & FrameLayers.Sctp) != 0;

    public readonly bool HasUdpLite => (Layers & FrameLayers.UdpLite) != 0;

    /// <summary>The transport payload and header length from the IPv4 header: total length − IHL × 4.</summary>
    public readonly int L4Length => IPv4TotalLength - IPv4HeaderLength;

    /// <summary>
    /// Parses <paramref name="frame"/>. False only when there is not even an Ethernet header; every
    /// other shortfall shows as a missing layer in <see cref="Layers"/>.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> frame, out FrameHeaders headers)
    {
        headers = default;
        if (frame.Length < EthernetLength)
        {
            return false;
        }

        headers.DestinationMac = MacAddress.Read(frame);
        headers.SourceMac = MacAddress.Read(frame[6..]);
        headers.Layers = FrameLayers.Ethernet;
        var etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[12..]);
        var l3 = EthernetLength;
        if (etherType == EtherTypes.Vlan)
        {
            if (frame.Length < EthernetLength + VlanTagLength)
            {
                headers.EtherType = etherType;
                headers.L3Offset = l3;
                return true;
            }

            headers.Layers |= FrameLayers.Vlan;
            headers.VlanTci = BinaryPrimitives.ReadUInt16BigEndian(frame[14..]);
            etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[16..]);
            l3 += VlanTagLength;
        }

        headers.EtherType = etherType;
        headers.L3Offset = l3;
        if (etherType == EtherTypes.Arp)
        {
            headers.ParseArp(frame[l3..]);
        }
        else if (etherType == EtherTypes.IPv4)
        {
            headers.ParseIPv4(frame, l3);
        }

        return true;
    }

    public readonly bool Has(FrameLayers layers) => (Layers & layers) == layers;

    private void ParseArp(ReadOnlySpan<byte> arp)
    {
        if (arp.Length < 8)
        {
            return;
        }

        ArpHardwareType = BinaryPrimitives.ReadUInt16BigEndian(arp);
        ArpProtocolType = BinaryPrimitives.ReadUInt16BigEndian(arp[2..]);
        ArpHardwareLength = arp[4];
        ArpProtocolLength = arp[5];
        ArpOperation = BinaryPrimitives.ReadUInt16BigEndian(arp[6..]);
        if (arp.Length < ArpLength || ArpHardwareType != 1 || ArpProtocolType != EtherTypes.IPv4
            || ArpHardwareLength != MacAddress.Length || ArpProtocolLength != IPv4Address.Length)
        {
            return;
        }

        ArpSenderMac = MacAddress.Read(arp[8..]);
        ArpSenderIp = IPv4Address.Read(arp[14..]);
        ArpTargetMac = MacAddress.Read(arp[18..]);
        ArpTargetIp = IPv4Address.Read(arp[24..]);
        Layers |= FrameLayers.Arp;
    }

    private void ParseIPv4(ReadOnlySpan<byte> frame, int l3)
    {
        var available = frame.Length - l3;
        if (available < IPv4MinimumLength)
        {
            return;
        }

        var ip = frame[l3..];
        var headerLength = (ip[0] & 0x0F) * 4;
        var totalLength = BinaryPrimitives.ReadUInt16BigEndian(ip[2..]);
        if (ip[0] >> 4 != 4 || headerLength < IPv4MinimumLength || headerLength > totalLength || totalLength > available)
        {
            return;
        }

        IPv4HeaderLength = headerLength;
        IPv4TotalLength = totalLength;
        IPv4FlagsFragment = BinaryPrimitives.ReadUInt16BigEndian(ip[6..]);
        IPv4Ttl = ip[8];
        IPv4Protocol = ip[9];
        IPv4Source = IPv4Address.Read(ip[12..]);
        IPv4Destination = IPv4Address.Read(ip[16..]);
        L4Offset = l3 + headerLength;
        Layers |= FrameLayers.IPv4;
        if ((IPv4FlagsFragment & 0x1FFF) != 0)
        {
            Layers |= FrameLayers.IPv4Fragment;
            return;
        }

        // Bounded by the IPv4 total length, not the frame: Ethernet padding is not transport data.
        var l4 = ip[headerLength..totalLength];
        switch (IPv4Protocol)
        {
            case IPProtocols.Tcp:
                if (l4.Length >= TcpMinimumLength)
                {
                    var tcpLength = (l4[12] >> 4) * 4;
                    if (tcpLength >= TcpMinimumLength && tcpLength <= l4.Length)
                    {
                        SourcePort = BinaryPrimitives.ReadUInt16BigEndian(l4);
                        DestinationPort = BinaryPrimitives.ReadUInt16BigEndian(l4[2..]);
                        TcpFlags = l4[13];
                        TcpHeaderLength = tcpLength;
                        Layers |= FrameLayers.Tcp;
                    }
                }

                break;
            case IPProtocols.Udp:
                if (l4.Length >= UdpLength)
                {
                    SourcePort = BinaryPrimitives.ReadUInt16BigEndian(l4);
                    DestinationPort = BinaryPrimitives.ReadUInt16BigEndian(l4[2..]);
                    Layers |= FrameLayers.Udp;
                }

                break;
            case IPProtocols.Icmp:
                if (l4.Length >= IcmpMinimumLength)
                {
                    IcmpType = l4[0];
                    IcmpCode = l4[1];
                    if (l4.Length >= IcmpHeaderLength)
                    {
                        IcmpIdentifier = BinaryPrimitives.ReadUInt16BigEndian(l4[4..]);
                        IcmpSequence = BinaryPrimitives.ReadUInt16BigEndian(l4[6..]);
                    }

                    Layers |= FrameLayers.Icmp;
                }

                break;
            case IPProtocols.Sctp:
                if (l4.Length >= SctpCommonHeaderLength)
                {
                    SourcePort = BinaryPrimitives.ReadUInt16BigEndian(l4);
                    DestinationPort = BinaryPrimitives.ReadUInt16BigEndian(l4[2..]);
                    Layers |= FrameLayers.Sctp;
                }

                break;
            case IPProtocols.UdpLite:
                if (l4.Length >= UdpLiteLength)
                {
                    SourcePort = BinaryPrimitives.ReadUInt16BigEndian(l4);
                    DestinationPort = BinaryPrimitives.ReadUInt16BigEndian(l4[2..]);
                    Layers |= FrameLayers.UdpLite;
                }

                break;
        }
    }
}
