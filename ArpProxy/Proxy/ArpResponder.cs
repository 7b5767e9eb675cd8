using Packets;
using Packets.Arp;
using Packets.Parsing;

namespace ArpProxy.Proxy;

/// <summary>
/// The proxy's decision for one frame, without allocating: every ARP request, whatever its target IP,
/// gets "target is-at our MAC" (reference-behaviour.md 7.1). Unlike the Go original it does not answer
/// probes and announcements, where a proxied reply would report an address conflict to the requester.
/// </summary>
internal static class ArpResponder
{
    /// <summary>Room for a reply to a VLAN-tagged request.</summary>
    public const int ReplyBufferLength = ArpFrames.TaggedFrameLength;

    /// <summary>
    /// Parses <paramref name="frame"/> (any bytes) and, for a request worth answering, writes the reply
    /// into <paramref name="reply"/> (at least <see cref="ReplyBufferLength"/> bytes).
    /// </summary>
    public static ArpVerdict Respond(ReadOnlySpan<byte> frame, MacAddress ownMac, Span<byte> reply, out int replyLength, out FrameHeaders request)
    {
        replyLength = 0;
        if (!FrameHeaders.TryParse(frame, out request) || !request.HasArp || request.ArpOperation != ArpFrames.OperationRequest)
        {
            return ArpVerdict.NotArpRequest;
        }

        if (request.SourceMac == ownMac || request.ArpSenderMac == ownMac)
        {
            return ArpVerdict.FromSelf;
        }

        if (request.SourceMac.IsZero || request.SourceMac.IsMulticast || request.ArpSenderMac.IsZero || request.ArpSenderMac.IsMulticast)
        {
            return ArpVerdict.InvalidSender;
        }

        if (request.ArpSenderIp.Value == 0)
        {
            return ArpVerdict.Probe;
        }

        if (request.ArpSenderIp == request.ArpTargetIp)
        {
            return ArpVerdict.Announcement;
        }

        replyLength = ArpFrames.WriteReply(request, ownMac, reply);
        return replyLength > 0 ? ArpVerdict.Reply : throw new ArgumentException($"needs {ReplyBufferLength} bytes", nameof(reply));
    }
}
