using Packets.Tap;
using Xunit;

namespace Packets.Tests.Tap;

public sealed class VirtioNetHeaderTests
{
    [Fact]
    public void TryWrite_GsoTcpHeader_LittleEndianLayoutThatReadsBack()
    {
        var header = new VirtioNetHeader(VirtioNetHeaderBits.NeedsChecksum, VirtioGsoType.TcpV4 | VirtioGsoType.Ecn, 66, 1448, 34, 16);
        var bytes = new byte[VirtioNetHeader.SizeWithBufferCount];

        Assert.True(header.TryWrite(bytes));

        Assert.Equal(Convert.FromHexString("01814200a805220010000000"), bytes);
        Assert.True(VirtioNetHeader.TryRead(bytes, out var read));
        Assert.Equal(header, read);
        Assert.True(read.NeedsChecksum);
        Assert.Equal(VirtioGsoType.TcpV4, read.GsoKind);
    }

    [Fact]
    public void TryRead_ShortBuffer_ReturnsFalse()
    {
        Assert.False(VirtioNetHeader.TryRead(new byte[9], out var header));
        Assert.Equal(default, header);
        Assert.False(default(VirtioNetHeader).TryWrite(new byte[9]));
    }
}
