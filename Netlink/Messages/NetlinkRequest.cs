using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Packets;

namespace Netlink.Messages;

/// <summary>
/// One request being built: the netlink header, the family header, then 4-byte aligned attributes.
/// The socket stamps the length, sequence number and port id when it sends.
/// </summary>
internal sealed class NetlinkRequest
{
    public const int Alignment = 4;
    private const int AttributeHeaderSize = 4;

    private byte[] _buffer = new byte[256];
    private int _length;

    public NetlinkRequest(ushort type, ushort flags)
    {
        var header = new NetlinkMessageHeader { Type = type, Flags = flags };
        Append(ref header);
    }

    public ushort Flags => MemoryMarshal.Read<NetlinkMessageHeader>(_buffer).Flags;

    public int Length => _length;

    /// <summary>Appends the family header (ifinfomsg, ifaddrmsg, rtmsg, tcmsg), or one nested in an attribute (VETH_INFO_PEER).</summary>
    public void Append<T>(ref T familyHeader)
        where T : unmanaged
    {
        MemoryMarshal.Write(Reserve(Marshal.SizeOf<T>()), in familyHeader);
    }

    public void AddAttribute(ushort type, ReadOnlySpan<byte> value)
    {
        var length = AttributeHeaderSize + value.Length;
        var destination = Reserve(Align(length));
        BinaryPrimitives.WriteUInt16LittleEndian(destination, (ushort)length);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[2..], type);
        value.CopyTo(destination[AttributeHeaderSize..]);
    }

    public void AddUInt32(ushort type, uint value)
    {
        Span<byte> bytes = stackalloc byte[sizeof(uint)];
        MemoryMarshal.Write(bytes, in value);
        AddAttribute(type, bytes);
    }

    /// <summary>A fixed-layout kernel struct (struct tc_mirred…) as the attribute's value, in host byte order.</summary>
    public void AddStruct<T>(ushort type, ref T value)
        where T : unmanaged
    {
        AddAttribute(type, MemoryMarshal.AsBytes(MemoryMarshal.CreateReadOnlySpan(ref value, 1)));
    }

    /// <summary>A NUL-terminated string, as the kernel's NLA_NUL_STRING and NLA_STRING both accept.</summary>
    public void AddString(ushort type, string value)
    {
        Span<byte> bytes = stackalloc byte[Encoding.UTF8.GetByteCount(value) + 1];
        Encoding.UTF8.GetBytes(value, bytes);
        AddAttribute(type, bytes);
    }

    /// <summary>An IPv4 address in network byte order.</summary>
    public void AddAddress(ushort type, IPv4Address address)
    {
        Span<byte> bytes = stackalloc byte[IPv4Address.Length];
        address.WriteTo(bytes);
        AddAttribute(type, bytes);
    }

    /// <summary>Starts a nested attribute; close it with <see cref="EndNested"/> and the returned offset.</summary>
    public int BeginNested(ushort type)
    {
        var offset = _length;
        AddAttribute(type, []);
        return offset;
    }

    public void EndNested(int offset) =>
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(offset), (ushort)(_length - offset));

    /// <summary>Sets the header's length, sequence number and port id; returns the bytes to send.</summary>
    public ReadOnlySpan<byte> Stamp(uint sequence, uint portId)
    {
        var header = MemoryMarshal.Read<NetlinkMessageHeader>(_buffer);
        header.Length = (uint)_length;
        header.Sequence = sequence;
        header.PortId = portId;
        MemoryMarshal.Write(_buffer, in header);
        return _buffer.AsSpan(0, _length);
    }

    public static int Align(int length) => (length + Alignment - 1) & ~(Alignment - 1);

    private Span<byte> Reserve(int count)
    {
        var needed = _length + Align(count);
        if (needed > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(needed, _buffer.Length * 2));
        }

        var span = _buffer.AsSpan(_length, Align(count));
        span.Clear();
        _length = needed;
        return span;
    }
}
