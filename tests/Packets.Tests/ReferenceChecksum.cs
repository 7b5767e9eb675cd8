namespace Packets.Tests;

/// <summary>RFC 1071 written the slow, obvious way: big-endian 16-bit words, end-around carry per add. The oracle for the fast code.</summary>
internal static class ReferenceChecksum
{
    public static ushort Sum(ReadOnlySpan<byte> data, ushort initial = 0)
    {
        uint sum = initial;
        for (var i = 0; i < data.Length; i += 2)
        {
            var word = (uint)(data[i] << 8) | (i + 1 < data.Length ? data[i + 1] : 0u);
            sum += word;
            if (sum > 0xFFFF)
            {
                sum = (sum & 0xFFFF) + 1;
            }
        }

        return (ushort)sum;
    }

    /// <summary>Recomputes the TCP/UDP checksum of a frame from scratch, the field zeroed, without the library.</summary>
    public static ushort Transport(ReadOnlySpan<byte> frame, int l3Offset)
    {
        var ihl = (frame[l3Offset] & 0x0F) * 4;
        var total = (frame[l3Offset + 2] << 8) | frame[l3Offset + 3];
        var protocol = frame[l3Offset + 9];
        var segment = frame.Slice(l3Offset + ihl, total - ihl).ToArray();
        var field = protocol == 6 ? 16 : 6;
        segment[field] = 0;
        segment[field + 1] = 0;
        var pseudo = new byte[12];
        frame.Slice(l3Offset + 12, 8).CopyTo(pseudo);
        pseudo[9] = protocol;
        pseudo[10] = (byte)(segment.Length >> 8);
        pseudo[11] = (byte)segment.Length;
        var checksum = (ushort)~Sum(segment, Sum(pseudo));
        return protocol == 17 && checksum == 0 ? (ushort)0xFFFF : checksum;
    }

    public static ushort IPv4Header(ReadOnlySpan<byte> frame, int l3Offset)
    {
        var header = frame.Slice(l3Offset, (frame[l3Offset] & 0x0F) * 4).ToArray();
        header[10] = 0;
        header[11] = 0;
        return (ushort)~Sum(header);
    }
}
