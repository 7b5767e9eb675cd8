using System.Buffers.Binary;
using Google.Protobuf;

namespace P4Pipeline;

/// <summary>
/// P4Runtime binary values: big-endian byte strings, canonical when without leading zero bytes
/// (zero is a single 0x00). Servers must accept canonical strings and reject values wider than
/// their field (p4runtime-semantics.md, Write).
/// </summary>
public static class P4Bytes
{
    private static readonly ByteString Zero = ByteString.CopyFrom(0);

    public static ByteString Canonical(ReadOnlySpan<byte> value)
    {
        var significant = value.TrimStart((byte)0);
        return significant.IsEmpty ? Zero : ByteString.CopyFrom(significant);
    }

    public static ByteString FromUInt(ulong value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, value);
        return Canonical(bytes);
    }

    /// <summary>Number of significant bits (0 for zero).</summary>
    public static int BitLength(ReadOnlySpan<byte> value)
    {
        var significant = value.TrimStart((byte)0);
        return significant.IsEmpty ? 0 : ((significant.Length - 1) * 8) + (32 - System.Numerics.BitOperations.LeadingZeroCount((uint)significant[0]));
    }

    public static bool FitsWidth(ReadOnlySpan<byte> value, int bitWidth) => !value.IsEmpty && BitLength(value) <= bitWidth;

    /// <summary>The value of up to 128 significant bits.</summary>
    public static UInt128 ToUInt128(ReadOnlySpan<byte> value)
    {
        var significant = value.TrimStart((byte)0);
        if (significant.Length > 16)
        {
            throw new ArgumentOutOfRangeException(nameof(value), "more than 128 significant bits");
        }

        UInt128 result = 0;
        foreach (var b in significant)
        {
            result = (result << 8) | b;
        }

        return result;
    }

    public static ulong ToUInt64(ReadOnlySpan<byte> value) => checked((ulong)ToUInt128(value));
}
