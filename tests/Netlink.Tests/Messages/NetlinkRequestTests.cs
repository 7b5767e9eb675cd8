using System.Buffers.Binary;
using FsCheck.Xunit;
using Netlink.Messages;
using Packets;
using Xunit;

namespace Netlink.Tests.Messages;

public sealed class NetlinkRequestTests
{
    [Fact]
    public void Stamp_HeaderFamilyHeaderAndAttributes_LaysThemOutAlignedWithLengthAndSequence()
    {
        var request = new NetlinkRequest(NetlinkMessageTypes.NewAddress, NetlinkFlags.Request | NetlinkFlags.Ack);
        var header = new InterfaceAddressMessage { Family = 2, PrefixLength = 32, Index = 7 };
        request.Append(ref header);
        request.AddString(AttributeTypes.LinkName, "eth0");
        request.AddAddress(AttributeTypes.AddressLocal, IPv4Address.Parse("10.244.0.6"));

        var bytes = request.Stamp(sequence: 42, portId: 1234).ToArray();

        // 16 header + 8 ifaddrmsg + (4 + 5 → 12) "eth0\0" + (4 + 4) address.
        Assert.Equal(16 + 8 + 12 + 8, bytes.Length);
        Assert.Equal((uint)bytes.Length, BinaryPrimitives.ReadUInt32LittleEndian(bytes));
        Assert.Equal(NetlinkMessageTypes.NewAddress, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(4)));
        Assert.Equal(NetlinkFlags.Request | NetlinkFlags.Ack, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(6)));
        Assert.Equal(42u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)));
        Assert.Equal(1234u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(12)));
        Assert.Equal(new byte[] { 2, 32, 0, 0, 7, 0, 0, 0 }, bytes[16..24]);
        Assert.Equal(new byte[] { 9, 0, 3, 0, (byte)'e', (byte)'t', (byte)'h', (byte)'0', 0, 0, 0, 0 }, bytes[24..36]);
        Assert.Equal(new byte[] { 8, 0, 2, 0, 10, 244, 0, 6 }, bytes[36..44]);
    }

    [Fact]
    public void EndNested_AfterInnerAttributes_LengthCoversThem()
    {
        var request = new NetlinkRequest(NetlinkMessageTypes.NewLink, NetlinkFlags.Request);
        var nested = request.BeginNested(AttributeTypes.LinkInfo);
        request.AddString(AttributeTypes.LinkInfoKind, "veth");
        request.EndNested(nested);

        var bytes = request.Stamp(1, 0).ToArray();
        var reader = new NetlinkAttributeReader(bytes.AsSpan(16));

        Assert.True(reader.TryRead(out var type, out var value));
        Assert.Equal(AttributeTypes.LinkInfo, type);
        var inner = new NetlinkAttributeReader(value);
        Assert.True(inner.TryRead(out var innerType, out var innerValue));
        Assert.Equal(AttributeTypes.LinkInfoKind, innerType);
        Assert.Equal("veth", NetlinkAttributeReader.ReadString(innerValue));
        Assert.False(reader.TryRead(out _, out _));
    }

    [Fact]
    public void TryRead_TruncatedAttribute_StopsWithoutThrowing()
    {
        var bytes = new byte[] { 8, 0, 1, 0, 1, 2, 3, 4, 12, 0, 2, 0, 1, 2 };
        var reader = new NetlinkAttributeReader(bytes);

        Assert.True(reader.TryRead(out _, out var first));
        Assert.Equal(4, first.Length);
        Assert.False(reader.TryRead(out _, out _));
    }

    /// <summary>Whatever attributes are written, the reader gives back the same types and values, in order.</summary>
    [Property(MaxTest = 500)]
    public bool AddAttribute_ArbitraryAttributes_ReadBackUnchanged(byte[][] values, ushort typeSeed)
    {
        var request = new NetlinkRequest(NetlinkMessageTypes.NewRoute, NetlinkFlags.Request);
        var header = new RouteMessage { Family = 2 };
        request.Append(ref header);
        var written = values.Where(v => v is not null && v.Length < 1000).Select((v, i) => ((ushort)((typeSeed + i) & AttributeTypes.TypeMask), v)).ToList();
        foreach (var (type, value) in written)
        {
            request.AddAttribute(type, value);
        }

        var bytes = request.Stamp(1, 0);
        var reader = new NetlinkAttributeReader(bytes[(NetlinkMessageHeader.Size + RouteMessage.Size)..]);
        foreach (var (type, value) in written)
        {
            if (!reader.TryRead(out var readType, out var readValue) || readType != type || !readValue.SequenceEqual(value))
            {
                return false;
            }
        }

        return !reader.TryRead(out _, out _) && bytes.Length % NetlinkRequest.Alignment == 0;
    }
}
