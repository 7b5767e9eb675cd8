using System.Buffers.Binary;
using System.Globalization;

namespace Packets;

/// <summary>A 48-bit Ethernet address held in the low bits of a <see cref="ulong"/>, most significant byte first on the wire.</summary>
public readonly record struct MacAddress
{
    public const int Length = 6;
    private const ulong MaxValue = 0xFFFF_FFFF_FFFF;

    public MacAddress(ulong value)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value, MaxValue);
        Value = value;
    }

    public static MacAddress Zero => default;

    public static MacAddress Broadcast => new(MaxValue);

    public ulong Value { get; }

    public bool IsZero => Value == 0;

    public bool IsBroadcast => Value == MaxValue;

    /// <summary>The I/G bit of the first octet: group (multicast or broadcast) address.</summary>
    public bool IsMulticast => (Value & 0x0100_0000_0000) != 0;

    /// <summary>Reads the first six bytes of <paramref name="source"/>.</summary>
    public static MacAddress Read(ReadOnlySpan<byte> source) =>
        new(((ulong)BinaryPrimitives.ReadUInt32BigEndian(source) << 16) | BinaryPrimitives.ReadUInt16BigEndian(source[4..]));

    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], (ushort)Value);
        BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)(Value >> 16));
    }

    /// <summary>Parses <c>aa:bb:cc:dd:ee:ff</c> (or with dashes), case-insensitive.</summary>
    public static MacAddress Parse(string text) =>
        TryParse(text, out var address) ? address : throw new FormatException($"'{text}' is not a MAC address");

    public static bool TryParse(ReadOnlySpan<char> text, out MacAddress address)
    {
        address = default;
        if (text.Length != 17)
        {
            return false;
        }

        ulong value = 0;
        for (var i = 0; i < 6; i++)
        {
            if (i > 0 && text[(i * 3) - 1] is not (':' or '-'))
            {
                return false;
            }

            if (!byte.TryParse(text.Slice(i * 3, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var octet))
            {
                return false;
            }

            value = (value << 8) | octet;
        }

        address = new MacAddress(value);
        return true;
    }

    public override string ToString() => string.Create(17, Value, static (chars, value) =>
    {
        for (var i = 0; i < Length; i++)
        {
            if (i > 0)
            {
                chars[(i * 3) - 1] = ':';
            }

            ((byte)(value >> (40 - (8 * i)))).TryFormat(chars.Slice(i * 3, 2), out _, "x2", CultureInfo.InvariantCulture);
        }
    });
}
