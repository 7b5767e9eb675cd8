using System.Buffers.Binary;
using Packets.Parsing;

namespace Packets.Checksums;

/// <summary>The IPv4 header checksum and the TCP/UDP/ICMP checksums of a parsed frame, computed from scratch.</summary>
public static class IPv4Checksums
{
    public const int HeaderChecksumOffset = 10;
    public const int TcpChecksumOffset = 16;
    public const int UdpChecksumOffset = 6;
    public const int IcmpChecksumOffset = 2;

    /// <summary>The header checksum of <paramref name="header"/> (IHL × 4 bytes), its checksum field counted as zero.</summary>
    public static ushort ComputeHeader(ReadOnlySpan<byte> header)
    {
        var sum = InternetChecksum.Sum(header[..HeaderChecksumOffset]);
        return InternetChecksum.Compute(header[(HeaderChecksumOffset + 2)..], sum);
    }

    public static bool VerifyHeader(ReadOnlySpan<byte> header) => InternetChecksum.Sum(header) == 0xFFFF;

    /// <summary>Recomputes and stores the IPv4 header checksum of a frame with an IPv4 layer.</summary>
    public static void UpdateHeader(Span<byte> frame, in FrameHeaders headers)
    {
        if (!headers.HasIPv4)
        {
            return;
        }

        var header = frame.Slice(headers.L3Offset, headers.IPv4HeaderLength);
        BinaryPrimitives.WriteUInt16BigEndian(header[HeaderChecksumOffset..], ComputeHeader(header));
    }

    public static bool VerifyHeader(ReadOnlySpan<byte> frame, in FrameHeaders headers) =>
        headers.HasIPv4 && VerifyHeader(frame.Slice(headers.L3Offset, headers.IPv4HeaderLength));

    /// <summary>The TCP/UDP pseudo-header sum (RFC 793, RFC 768): addresses, zero, protocol, transport length.</summary>
    public static ushort PseudoHeaderSum(IPv4Address source, IPv4Address destination, byte protocol, int transportLength) =>
        InternetChecksum.Fold((ulong)(source.Value >> 16) + (source.Value & 0xFFFF) + (destination.Value >> 16)
            + (destination.Value & 0xFFFF) + protocol + (uint)(ushort)transportLength);

    /// <summary>The pseudo-header sum of a parsed frame, as a CHECKSUM_PARTIAL sender leaves it in the checksum field.</summary>
    public static ushort PseudoHeaderSum(in FrameHeaders headers) =>
        PseudoHeaderSum(headers.IPv4Source, headers.IPv4Destination, headers.IPv4Protocol, headers.L4Length);

    /// <summary>Where the TCP, UDP or ICMP checksum field is in the frame, or -1.</summary>
    public static int TransportChecksumPosition(in FrameHeaders headers) =>
        headers.HasTcp ? headers.L4Offset + TcpChecksumOffset
        : headers.HasUdp ? headers.L4Offset + UdpChecksumOffset
        : headers.HasIcmp ? headers.L4Offset + IcmpChecksumOffset
        : -1;

    /// <summary>
    /// The TCP, UDP or ICMP checksum of the frame computed from scratch (field counted as zero; UDP's
    /// computed 0 becomes 0xFFFF, RFC 768), or null when the frame has none of those layers.
    /// </summary>
    public static ushort? ComputeTransport(ReadOnlySpan<byte> frame, in FrameHeaders headers)
    {
        var position = TransportChecksumPosition(headers);
        if (position < 0)
        {
            return null;
        }

        var segment = frame.Slice(headers.L4Offset, headers.L4Length);
        var fieldOffset = position - headers.L4Offset;
        var initial = headers.HasIcmp ? (ushort)0 : PseudoHeaderSum(headers);
        var sum = InternetChecksum.Sum(segment[..fieldOffset], initial);
        var checksum = InternetChecksum.Compute(segment[(fieldOffset + 2)..], sum);
        return headers.HasUdp && checksum == 0 ? (ushort)0xFFFF : checksum;
    }

    /// <summary>
    /// True when the TCP, UDP or ICMP checksum in the frame is right. A UDP checksum of 0 means the
    /// sender computed none and counts as right. False for frames without those layers.
    /// </summary>
    public static bool VerifyTransport(ReadOnlySpan<byte> frame, in FrameHeaders headers)
    {
        var position = TransportChecksumPosition(headers);
        if (position < 0)
        {
            return false;
        }

        if (headers.HasUdp && BinaryPrimitives.ReadUInt16BigEndian(frame[position..]) == 0)
        {
            return true;
        }

        var initial = headers.HasIcmp ? (ushort)0 : PseudoHeaderSum(headers);
        return InternetChecksum.Sum(frame.Slice(headers.L4Offset, headers.L4Length), initial) == 0xFFFF;
    }
}
