using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Packets;

namespace Netlink.Messages;

/// <summary>Walks the 4-byte aligned attributes of a message; a truncated attribute ends the walk.</summary>
internal ref struct NetlinkAttributeReader
{
    private const int HeaderSize = 4;
    private ReadOnlySpan<byte> _remaining;

    public NetlinkAttributeReader(ReadOnlySpan<byte> attributes)
    {
        _remaining = attributes;
    }

    /// <summary>The next attribute's type (flags masked off) and value.</summary>
    public bool TryRead(out ushort type, out ReadOnlySpan<byte> value)
    {
        type = 0;
        value = default;
        if (_remaining.Length < HeaderSize)
        {
            return false;
        }

        var length = BinaryPrimitives.ReadUInt16LittleEndian(_remaining);
        if (length < HeaderSize || length > _remaining.Length)
        {
            _remaining = default;
            return false;
        }

        type = (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(_remaining[2..]) & AttributeTypes.TypeMask);
        value = _remaining[HeaderSize..length];
        var next = NetlinkRequest.Align(length);
        _remaining = next >= _remaining.Length ? default : _remaining[next..];
        return true;
    }

    /// <summary>A string attribute without its NUL terminator.</summary>
    public static string ReadString(ReadOnlySpan<byte> value)
    {
        var end = value.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? value : value[..end]);
    }

    public static uint ReadUInt32(ReadOnlySpan<byte> value) =>
        value.Length >= sizeof(uint) ? MemoryMarshal.Read<uint>(value) : 0;

    public static IPv4Address? ReadAddress(ReadOnlySpan<byte> value) =>
        value.Length == IPv4Address.Length ? IPv4Address.Read(value) : null;
}
