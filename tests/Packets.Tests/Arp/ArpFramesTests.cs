using System.Buffers.Binary;
using Packets.Arp;
using Packets.Parsing;
using Xunit;

namespace Packets.Tests.Arp;

public sealed class ArpFramesTests
{
    private static readonly MacAddress ProxyMac = MacAddress.Parse("02:aa:00:00:00:01");
    private static readonly IPv4Address Gateway = IPv4Address.Parse("169.254.1.1");

    [Fact]
    public void WriteReply_Request_TargetIsAtResponderAddressedToRequester()
    {
        var request = new byte[ArpFrames.FrameLength];
        ArpFrames.WriteRequest(request, TestFrames.ClientMac, TestFrames.ClientIp, Gateway);
        var requestHeaders = TestFrames.Parse(request);
        var reply = new byte[ArpFrames.TaggedFrameLength];

        var length = ArpFrames.WriteReply(requestHeaders, ProxyMac, reply);

        Assert.Equal(ArpFrames.FrameLength, length);
        Assert.True(FrameHeaders.TryParse(reply.AsSpan(0, length), out var headers));
        Assert.True(headers.HasArp);
        Assert.Equal(TestFrames.ClientMac, headers.DestinationMac);
        Assert.Equal(ProxyMac, headers.SourceMac);
        Assert.Equal(ArpFrames.OperationReply, headers.ArpOperation);
        Assert.Equal(ProxyMac, headers.ArpSenderMac);
        Assert.Equal(Gateway, headers.ArpSenderIp);
        Assert.Equal(TestFrames.ClientMac, headers.ArpTargetMac);
        Assert.Equal(TestFrames.ClientIp, headers.ArpTargetIp);
        Assert.All(reply[42..60], b => Assert.Equal(0, b));
    }

    [Fact]
    public void WriteReply_VlanTaggedRequest_ReplyKeepsTag()
    {
        var request = new byte[ArpFrames.TaggedFrameLength];
        ArpFrames.Write(request, 0x0123, MacAddress.Broadcast, ArpFrames.OperationRequest, TestFrames.ClientMac, TestFrames.ClientIp, MacAddress.Zero, Gateway);
        var requestHeaders = TestFrames.Parse(request);
        var reply = new byte[100];

        var length = ArpFrames.WriteReply(requestHeaders, ProxyMac, reply);

        Assert.Equal(ArpFrames.TaggedFrameLength, length);
        var headers = TestFrames.Parse(reply.AsSpan(0, length));
        Assert.True(headers.HasVlan && headers.HasArp);
        Assert.Equal(0x0123, headers.VlanTci);
        Assert.Equal(Gateway, headers.ArpSenderIp);
    }

    [Fact]
    public void WriteReply_ArpReplyOrIPv4_WritesNothing()
    {
        var replyFrame = new byte[ArpFrames.FrameLength];
        ArpFrames.Write(replyFrame, null, TestFrames.ClientMac, ArpFrames.OperationReply, ProxyMac, Gateway, TestFrames.ClientMac, TestFrames.ClientIp);
        var replyHeaders = TestFrames.Parse(replyFrame);
        var ipHeaders = TestFrames.Parse(TestFrames.IPv4(IPProtocols.Udp, TestFrames.ClientIp, Gateway));
        var output = new byte[ArpFrames.FrameLength];

        Assert.Equal(0, ArpFrames.WriteReply(replyHeaders, ProxyMac, output));
        Assert.Equal(0, ArpFrames.WriteReply(ipHeaders, ProxyMac, output));
        Assert.All(output, b => Assert.Equal(0, b));
    }

    [Fact]
    public void WriteRequest_BufferTooSmall_ReturnsZero() =>
        Assert.Equal(0, ArpFrames.WriteRequest(new byte[59], TestFrames.ClientMac, TestFrames.ClientIp, Gateway));

    [Fact]
    public void WriteRequest_Layout_IsBroadcastWhoHas()
    {
        var frame = new byte[ArpFrames.FrameLength];
        ArpFrames.WriteRequest(frame, TestFrames.ClientMac, TestFrames.ClientIp, Gateway);

        Assert.Equal(
            Convert.FromHexString("ffffffffffff" + "020000000001" + "0806" + "0001" + "0800" + "06" + "04" + "0001" + "020000000001" + "0af40003" + "000000000000" + "a9fe0101"),
            frame[..42]);
        Assert.Equal(EtherTypes.Arp, BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(12)));
    }
}
