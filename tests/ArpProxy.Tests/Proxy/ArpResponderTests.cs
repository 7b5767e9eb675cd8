using ArpProxy.Proxy;
using FsCheck.Xunit;
using Packets;
using Packets.Arp;
using Packets.Parsing;
using Xunit;

namespace ArpProxy.Tests.Proxy;

public sealed class ArpResponderTests
{
    private static readonly MacAddress OwnMac = MacAddress.Parse("02:aa:00:00:00:01");
    private static readonly MacAddress PodMac = MacAddress.Parse("02:bb:00:00:00:02");
    private static readonly IPv4Address PodIp = IPv4Address.Parse("10.244.0.6");

    [Theory]
    [InlineData("169.254.1.1")]
    [InlineData("10.244.0.9")]
    [InlineData("8.8.8.8")]
    public void Respond_RequestForAnyTarget_TargetIsAtOwnMacAddressedToRequester(string target)
    {
        var targetIp = IPv4Address.Parse(target);
        var reply = new byte[ArpResponder.ReplyBufferLength];

        var verdict = ArpResponder.Respond(Request(PodMac, PodIp, targetIp), OwnMac, reply, out var length, out var request);

        Assert.Equal(ArpVerdict.Reply, verdict);
        Assert.Equal(ArpFrames.FrameLength, length);
        Assert.Equal(targetIp, request.ArpTargetIp);
        Assert.True(FrameHeaders.TryParse(reply.AsSpan(0, length), out var headers) && headers.HasArp);
        Assert.Equal(PodMac, headers.DestinationMac);
        Assert.Equal(OwnMac, headers.SourceMac);
        Assert.Equal(ArpFrames.OperationReply, headers.ArpOperation);
        Assert.Equal(OwnMac, headers.ArpSenderMac);
        Assert.Equal(targetIp, headers.ArpSenderIp);
        Assert.Equal(PodMac, headers.ArpTargetMac);
        Assert.Equal(PodIp, headers.ArpTargetIp);
    }

    [Fact]
    public void Respond_VlanTaggedRequest_ReplyOnTheSameVlan()
    {
        var frame = new byte[ArpFrames.TaggedFrameLength];
        ArpFrames.Write(frame, 0x0064, MacAddress.Broadcast, ArpFrames.OperationRequest, PodMac, PodIp, MacAddress.Zero, IPv4Address.Parse("169.254.1.1"));
        var reply = new byte[ArpResponder.ReplyBufferLength];

        Assert.Equal(ArpVerdict.Reply, ArpResponder.Respond(frame, OwnMac, reply, out var length, out _));
        Assert.True(FrameHeaders.TryParse(reply.AsSpan(0, length), out var headers) && headers.HasVlan && headers.HasArp);
        Assert.Equal(0x0064, headers.VlanTci);
    }

    [Fact]
    public void Respond_Reply_Ignored() =>
        Assert.Equal(ArpVerdict.NotArpRequest, Respond(Frame(PodMac, ArpFrames.OperationReply, PodMac, PodIp, IPv4Address.Parse("169.254.1.1"))));

    [Fact]
    public void Respond_Announcement_Ignored() =>
        Assert.Equal(ArpVerdict.Announcement, Respond(Request(PodMac, PodIp, PodIp)));

    [Fact]
    public void Respond_Probe_Ignored() =>
        Assert.Equal(ArpVerdict.Probe, Respond(Request(PodMac, new IPv4Address(0), PodIp)));

    [Fact]
    public void Respond_OwnRequest_Ignored()
    {
        Assert.Equal(ArpVerdict.FromSelf, Respond(Request(OwnMac, PodIp, IPv4Address.Parse("169.254.1.1"))));
        Assert.Equal(ArpVerdict.FromSelf, Respond(Frame(OwnMac, ArpFrames.OperationRequest, PodMac, PodIp, IPv4Address.Parse("169.254.1.1"))));
    }

    [Theory]
    [InlineData("01:00:5e:00:00:01", "02:bb:00:00:00:02")]
    [InlineData("ff:ff:ff:ff:ff:ff", "02:bb:00:00:00:02")]
    [InlineData("02:bb:00:00:00:02", "00:00:00:00:00:00")]
    [InlineData("02:bb:00:00:00:02", "33:33:00:00:00:01")]
    public void Respond_NoOneToAnswer_Ignored(string ethernetSource, string senderMac) =>
        Assert.Equal(
            ArpVerdict.InvalidSender,
            Respond(Frame(MacAddress.Parse(ethernetSource), ArpFrames.OperationRequest, MacAddress.Parse(senderMac), PodIp, IPv4Address.Parse("169.254.1.1"))));

    [Fact]
    public void Respond_EveryTruncationOfARequest_IgnoredBelowTheArpHeader()
    {
        var frame = Request(PodMac, PodIp, IPv4Address.Parse("169.254.1.1"));
        for (var length = 0; length < FrameHeaders.EthernetLength + FrameHeaders.ArpLength; length++)
        {
            Assert.Equal(ArpVerdict.NotArpRequest, Respond(frame[..length]));
        }

        Assert.Equal(ArpVerdict.Reply, Respond(frame[..(FrameHeaders.EthernetLength + FrameHeaders.ArpLength)]));
    }

    [Fact]
    public void Respond_ReplyBufferTooSmall_Throws() =>
        Assert.Throws<ArgumentException>(() => ArpResponder.Respond(Request(PodMac, PodIp, PodIp with { Value = 1 }), OwnMac, new byte[10], out _, out _));

    /// <summary>Any bytes at all: no exception, and a reply only to a well-formed request.</summary>
    [Property(MaxTest = 5000)]
    public bool Respond_AnyBytes_NeverThrowsAndRepliesOnlyToRequests(byte[] bytes, bool arpPrefix)
    {
        var frame = bytes ?? [];
        if (arpPrefix && frame.Length >= 22)
        {
            frame[12] = 0x08;
            frame[13] = 0x06;
            frame[20] = 0;
            frame[21] = 1;
        }

        var reply = new byte[ArpResponder.ReplyBufferLength];
        var verdict = ArpResponder.Respond(frame, OwnMac, reply, out var length, out var request);
        return verdict == ArpVerdict.Reply
            ? request.HasArp && request.ArpOperation == ArpFrames.OperationRequest && length >= ArpFrames.FrameLength
            : length == 0 && reply.All(b => b == 0);
    }

    [Fact]
    public void Respond_AfterWarmUp_AllocatesNothing()
    {
        var request = Request(PodMac, PodIp, IPv4Address.Parse("169.254.1.1"));
        var garbage = new byte[60];
        var reply = new byte[ArpResponder.ReplyBufferLength];
        ArpResponder.Respond(request, OwnMac, reply, out _, out _);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            ArpResponder.Respond(request, OwnMac, reply, out _, out _);
            ArpResponder.Respond(garbage, OwnMac, reply, out _, out _);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static ArpVerdict Respond(byte[] frame) =>
        ArpResponder.Respond(frame, OwnMac, new byte[ArpResponder.ReplyBufferLength], out _, out _);

    private static byte[] Request(MacAddress sender, IPv4Address senderIp, IPv4Address target) =>
        Frame(sender, ArpFrames.OperationRequest, sender, senderIp, target);

    private static byte[] Frame(MacAddress ethernetSource, ushort operation, MacAddress senderMac, IPv4Address senderIp, IPv4Address target)
    {
        var frame = new byte[ArpFrames.FrameLength];
        ArpFrames.Write(frame, null, MacAddress.Broadcast, operation, senderMac, senderIp, MacAddress.Zero, target);
        ethernetSource.WriteTo(frame.AsSpan(MacAddress.Length));
        return frame;
    }
}
