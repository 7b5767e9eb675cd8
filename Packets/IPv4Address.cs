using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Packets;

/// <summary>An IPv4 address as the 32-bit number read big-endian from the wire (10.0.0.1 is 0x0A000001).</summary>
public readonly record struct IPv4Address(uint Value)
{
    public const int Length = 4;

    public static IPv4Address Read(ReadOnlySpan<byte> source) => new(BinaryPrimitives.ReadUInt32BigEndian(source));

    public void WriteTo(Span<byte> destination) => BinaryPrimitives.WriteUInt32BigEndian(destination, Value);

    public static IPv4Address Parse(string text) =>
        TryParse(text, out var address) ? address : throw new FormatException($"'{text}' is not an IPv4 address");

    public static bool TryParse(ReadOnlySpan<char> text, out IPv4Address address)
    {
        address = default;
        if (!IPAddress.TryParse(text, out var parsed) || parsed.AddressFamily != AddressFamily.InterNetwork)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[Length];
        parsed.TryWriteBytes(bytes, out _);
        address = Read(bytes);
        return true;
    }

    public static IPv4Address FromIPAddress(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new ArgumentException($"{address} is not IPv4", nameof(address));
        }

        Span<byte> bytes = stackalloc byte[Length];
        address.TryWriteBytes(bytes, out _);
        return Read(bytes);
    }

    public IPAddress ToIPAddress()
    {
        Span<byte> bytes = stackalloc byte[Length];
        WriteTo(bytes);
        return new IPAddress(bytes);
    }

    public override string ToString() => $"{Value >> 24}.{(Value >> 16) & 0xFF}.{(Value >> 8) & 0xFF}.{Value & 0xFF}";
}
