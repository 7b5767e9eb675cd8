using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Packets.Checksums;

/// <summary>
/// The RFC 1071 internet checksum and the RFC 1624 incremental updates. "Sum" means the folded
/// one's complement sum (never complemented); "checksum" means its complement as stored in headers.
/// Values are the 16-bit numbers read big-endian from the wire.
/// </summary>
public static class InternetChecksum
{
    /// <summary>
    /// Adds <paramref name="data"/> to <paramref name="initial"/> in 16-bit one's complement and folds.
    /// An odd last byte is padded with zero, so only the last piece of a message may have odd length.
    /// </summary>
    public static ushort Sum(ReadOnlySpan<byte> data, ushort initial = 0)
    {
        // RFC 1071 2(B): the sum is byte-order independent, so add native words and swap once at the end.
        ref var start = ref MemoryMarshal.GetReference(data);
        var length = data.Length;
        ulong a = 0, b = 0, c = 0, d = 0;
        var i = 0;
        for (; i + 16 <= length; i += 16)
        {
            a += Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref start, i));
            b += Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref start, i + 4));
            c += Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref start, i + 8));
            d += Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref start, i + 12));
        }

        for (; i + 4 <= length; i += 4)
        {
            a += Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref start, i));
        }

        if (i + 2 <= length)
        {
            b += Unsafe.ReadUnaligned<ushort>(ref Unsafe.Add(ref start, i));
            i += 2;
        }

        if (i < length)
        {
            // The pad byte follows the last one in memory: in native order that is (last, 0).
            c += BitConverter.IsLittleEndian ? data[i] : (uint)data[i] << 8;
        }

        var native = Fold(a + b + c + d);
        var sum = BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(native) : native;
        return Fold((uint)sum + initial);
    }

    /// <summary>The checksum of <paramref name="data"/>: the complement of its sum.</summary>
    public static ushort Compute(ReadOnlySpan<byte> data, ushort initial = 0) => (ushort)~Sum(data, initial);

    /// <summary>Folds a wide one's complement accumulator to 16 bits with end-around carries.</summary>
    public static ushort Fold(ulong sum)
    {
        sum = (sum & 0xFFFF_FFFF) + (sum >> 32);
        sum = (sum & 0xFFFF_FFFF) + (sum >> 32);
        sum = (sum & 0xFFFF) + (sum >> 16);
        sum = (sum & 0xFFFF) + (sum >> 16);
        sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)sum;
    }

    /// <summary>RFC 1624 eqn. 3, HC' = ~(~HC + ~m + m'), for one 16-bit field changing from m to m'.</summary>
    public static ushort Update(ushort checksum, ushort oldValue, ushort newValue) =>
        (ushort)~UpdateSum((ushort)~checksum, oldValue, newValue);

    /// <summary>RFC 1624 eqn. 3 for a 32-bit field (an IPv4 address): both of its 16-bit words.</summary>
    public static ushort Update(ushort checksum, uint oldValue, uint newValue) =>
        (ushort)~UpdateSum((ushort)~checksum, oldValue, newValue);

    /// <summary>The same update applied to a non-complemented sum (a CHECKSUM_PARTIAL pseudo-header sum).</summary>
    public static ushort UpdateSum(ushort sum, ushort oldValue, ushort newValue) =>
        Fold((ulong)sum + (ushort)~oldValue + newValue);

    public static ushort UpdateSum(ushort sum, uint oldValue, uint newValue) =>
        Fold((ulong)sum + (ushort)~(oldValue >> 16) + (ushort)~oldValue + (newValue >> 16) + (newValue & 0xFFFF));

    /// <summary>
    /// Finishes a checksum left to the device (virtio NEEDS_CSUM / CHECKSUM_PARTIAL): sums the bytes
    /// from <paramref name="start"/> to the end, whose field at <paramref name="start"/> +
    /// <paramref name="offset"/> holds the pseudo-header sum, and stores the complement there. As the
    /// kernel's skb_checksum_help does, a result of 0 is stored as 0xFFFF (which UDP needs).
    /// False, with nothing written, when the field is not inside <paramref name="packet"/>.
    /// </summary>
    public static bool CompletePartial(Span<byte> packet, int start, int offset)
    {
        if (start < 0 || offset < 0 || start > packet.Length || offset > packet.Length - start - 2)
        {
            return false;
        }

        var checksum = Compute(packet[start..]);
        BinaryPrimitives.WriteUInt16BigEndian(packet[(start + offset)..], checksum == 0 ? (ushort)0xFFFF : checksum);
        return true;
    }
}
