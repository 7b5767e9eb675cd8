using System.Buffers.Binary;
using Packets.Parsing;
using Xunit;

namespace Packets.Tests;

/// <summary>Builds Ethernet/IPv4 frames with correct checksums (from <see cref="ReferenceChecksum"/>, not the library).</summary>
internal static class TestFrames
{
    public static readonly MacAddress ClientMac = MacAddress.Parse("02:00:00:00:00:01");
    public static readonly MacAddress ServerMac = MacAddress.Parse("02:00:00:00:00:02");
    public static readonly IPv4Address ClientIp = IPv4Address.Parse("10.244.0.3");
    public static readonly IPv4Address ServiceIp = IPv4Address.Parse("10.96.0.10");

    /// <summary>
    /// An IPv4 frame. <paramref name="checksum"/>: Full (correct L4 checksum), Partial (the pseudo-header
    /// sum as CHECKSUM_PARTIAL leaves it), None (0, UDP's "no checksum").
    /// </summary>
    public static byte[] IPv4(
        byte protocol,
        IPv4Address source,
        IPv4Address destination,
        ushort sourcePort = 40000,
        ushort destinationPort = 53,
        int payloadLength = 32,
        ushort? vlanTci = null,
        int optionsLength = 0,
        L4Checksum checksum = L4Checksum.Full,
        byte tcpFlags = 0x18,
        int padding = 0,
        byte seed = 1)
    {
        var l3 = vlanTci is null ? 14 : 18;
        var l4Header = protocol switch { 6 => 20, 17 => 8, 132 => 12, _ => 8 };
        var ipLength = 20 + optionsLength;
        var total = ipLength + l4Header + payloadLength;
        var frame = new byte[l3 + total + padding];
        ServerMac.WriteTo(frame);
        ClientMac.WriteTo(frame.AsSpan(6));
        if (vlanTci is { } tci)
        {
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), EtherTypes.Vlan);
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(14), tci);
        }

        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(l3 - 2), EtherTypes.IPv4);
        var ip = frame.AsSpan(l3);
        ip[0] = (byte)(0x40 | (ipLength / 4));
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)total);
        BinaryPrimitives.WriteUInt16BigEndian(ip[4..], 0x1234);
        BinaryPrimitives.WriteUInt16BigEndian(ip[6..], 0x4000);
        ip[8] = 64;
        ip[9] = protocol;
        source.WriteTo(ip[12..]);
        destination.WriteTo(ip[16..]);
        for (var i = 20; i < ipLength; i++)
        {
            ip[i] = 1; // NOP options
        }

        var l4 = ip[ipLength..total];
        switch (protocol)
        {
            case 6:
                BinaryPrimitives.WriteUInt16BigEndian(l4, sourcePort);
                BinaryPrimitives.WriteUInt16BigEndian(l4[2..], destinationPort);
                BinaryPrimitives.WriteUInt32BigEndian(l4[4..], 0x01020304);
                l4[12] = 5 << 4;
                l4[13] = tcpFlags;
                BinaryPrimitives.WriteUInt16BigEndian(l4[14..], 65535);
                break;
            case 17:
                BinaryPrimitives.WriteUInt16BigEndian(l4, sourcePort);
                BinaryPrimitives.WriteUInt16BigEndian(l4[2..], destinationPort);
                BinaryPrimitives.WriteUInt16BigEndian(l4[4..], (ushort)l4.Length);
                break;
            case 132 or 136:
                // SCTP common header (verification tag, CRC32c left 0) or UDP-Lite (full checksum coverage, 0).
                BinaryPrimitives.WriteUInt16BigEndian(l4, sourcePort);
                BinaryPrimitives.WriteUInt16BigEndian(l4[2..], destinationPort);
                break;
            default:
                l4[0] = 8; // echo request
                BinaryPrimitives.WriteUInt16BigEndian(l4[4..], 0x4242);
                break;
        }

        for (var i = l4Header; i < l4.Length; i++)
        {
            l4[i] = (byte)((i * 31) + seed);
        }

        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], ReferenceChecksum.IPv4Header(frame, l3));
        if (protocol is 6 or 17)
        {
            var field = l4[(protocol == 6 ? 16 : 6)..];
            var value = checksum switch
            {
                L4Checksum.Full => ReferenceChecksum.Transport(frame, l3),
                L4Checksum.Partial => PseudoHeaderSum(frame, l3),
                _ => (ushort)0,
            };
            BinaryPrimitives.WriteUInt16BigEndian(field, value);
        }
        else if (protocol == 1)
        {
            BinaryPrimitives.WriteUInt16BigEndian(l4[2..], (ushort)~ReferenceChecksum.Sum(l4));
        }

        return frame;
    }

    public static FrameHeaders Parse(ReadOnlySpan<byte> frame)
    {
        Assert.True(FrameHeaders.TryParse(frame, out var headers));
        return headers;
    }

    public static ushort PseudoHeaderSum(ReadOnlySpan<byte> frame, int l3)
    {
        var ihl = (frame[l3] & 0x0F) * 4;
        var total = (frame[l3 + 2] << 8) | frame[l3 + 3];
        var pseudo = new byte[12];
        frame.Slice(l3 + 12, 8).CopyTo(pseudo);
        pseudo[9] = frame[l3 + 9];
        BinaryPrimitives.WriteUInt16BigEndian(pseudo.AsSpan(10), (ushort)(total - ihl));
        return ReferenceChecksum.Sum(pseudo);
    }
}
