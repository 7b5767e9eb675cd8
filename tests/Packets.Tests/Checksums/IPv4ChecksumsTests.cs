using System.Buffers.Binary;
using Packets.Checksums;
using Packets.Parsing;
using Xunit;

namespace Packets.Tests.Checksums;

public sealed class IPv4ChecksumsTests
{
    [Fact]
    public void ComputeHeader_KnownHeader_MatchesWireValue()
    {
        // 192.168.0.1 → 192.168.0.199, UDP, total length 0x73: checksum b861.
        byte[] header = [0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0xB8, 0x61, 0xC0, 0xA8, 0x00, 0x01, 0xC0, 0xA8, 0x00, 0xC7];

        Assert.Equal(0xB861, IPv4Checksums.ComputeHeader(header));
        Assert.True(IPv4Checksums.VerifyHeader(header));
        header[8] = 0x3F;
        Assert.False(IPv4Checksums.VerifyHeader(header));
    }

    [Fact]
    public void UpdateHeader_StaleChecksum_Recomputes()
    {
        var frame = TestFrames.IPv4(IPProtocols.Udp, TestFrames.ClientIp, TestFrames.ServiceIp, optionsLength: 12, vlanTci: 3);
        var headers = TestFrames.Parse(frame);
        frame[18 + 8] = 1; // TTL

        Assert.False(IPv4Checksums.VerifyHeader(frame, headers));
        IPv4Checksums.UpdateHeader(frame, headers);
        Assert.True(IPv4Checksums.VerifyHeader(frame, headers));
        Assert.Equal(ReferenceChecksum.IPv4Header(frame, 18), BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(18 + 10)));
    }

    [Theory]
    [InlineData(IPProtocols.Tcp, 0)]
    [InlineData(IPProtocols.Tcp, 1459)]
    [InlineData(IPProtocols.Udp, 0)]
    [InlineData(IPProtocols.Udp, 513)]
    [InlineData(IPProtocols.Icmp, 56)]
    public void ComputeTransport_BuiltFrame_MatchesFieldAndVerifies(byte protocol, int payload)
    {
        var frame = TestFrames.IPv4(protocol, TestFrames.ClientIp, TestFrames.ServiceIp, payloadLength: payload);
        var headers = TestFrames.Parse(frame);
        var position = IPv4Checksums.TransportChecksumPosition(headers);

        Assert.Equal(BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(position)), IPv4Checksums.ComputeTransport(frame, headers));
        Assert.True(IPv4Checksums.VerifyTransport(frame, headers));
        frame[^1] ^= 0x40;
        Assert.False(IPv4Checksums.VerifyTransport(frame, headers));
    }

    [Fact]
    public void VerifyTransport_UdpWithoutChecksum_CountsAsRight()
    {
        var frame = TestFrames.IPv4(IPProtocols.Udp, TestFrames.ClientIp, TestFrames.ServiceIp, checksum: L4Checksum.None);
        var headers = TestFrames.Parse(frame);

        Assert.True(IPv4Checksums.VerifyTransport(frame, headers));
    }

    [Fact]
    public void PseudoHeaderSum_PartialFrame_EqualsField()
    {
        var frame = TestFrames.IPv4(IPProtocols.Tcp, TestFrames.ClientIp, TestFrames.ServiceIp, checksum: L4Checksum.Partial);
        var headers = TestFrames.Parse(frame);

        Assert.Equal(BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(34 + 16)), IPv4Checksums.PseudoHeaderSum(headers));
    }

    [Fact]
    public void ComputeTransport_Arp_Null()
    {
        var frame = new byte[60];
        Packets.Arp.ArpFrames.WriteRequest(frame, TestFrames.ClientMac, TestFrames.ClientIp, TestFrames.ServiceIp);
        var headers = TestFrames.Parse(frame);

        Assert.Null(IPv4Checksums.ComputeTransport(frame, headers));
        Assert.False(IPv4Checksums.VerifyTransport(frame, headers));
    }
}
