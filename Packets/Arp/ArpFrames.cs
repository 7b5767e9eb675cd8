using System.Buffers.Binary;
using Packets.Parsing;

namespace Packets.Arp;

/// <summary>Writes Ethernet/IPv4 ARP frames into caller buffers, padded to the 60-byte Ethernet minimum.</summary>
public static class ArpFrames
{
    public const ushort OperationRequest = 1;
    public const ushort OperationReply = 2;

    /// <summary>Ethernet minimum without FCS; AF_PACKET and TAP writes are not padded by the kernel.</summary>
    public const int FrameLength = 60;

    /// <summary>A frame length with an 802.1Q tag.</summary>
    public const int TaggedFrameLength = FrameLength + FrameHeaders.VlanTagLength;

    /// <summary>
    /// The reply to an ARP request, as arp-proxy sends it (reference-behaviour.md 7.1): "<c>tpa</c> is-at
    /// <paramref name="responderMac"/>", addressed to the requester's MAC and IP, on the request's VLAN.
    /// Returns the length written, or 0 when <paramref name="request"/> is not an ARP request or
    /// <paramref name="destination"/> is too small.
    /// </summary>
    public static int WriteReply(in FrameHeaders request, MacAddress responderMac, Span<byte> destination)
    {
        if (!request.HasArp || request.ArpOperation != OperationRequest)
        {
            return 0;
        }

        return Write(
            destination,
            request.HasVlan ? request.VlanTci : null,
            request.SourceMac,
            OperationReply,
            responderMac,
            request.ArpTargetIp,
            request.ArpSenderMac,
            request.ArpSenderIp);
    }

    /// <summary>A broadcast "who-has <paramref name="targetIp"/> tell <paramref name="senderIp"/>"; returns the length written, or 0.</summary>
    public static int WriteRequest(Span<byte> destination, MacAddress senderMac, IPv4Address senderIp, IPv4Address targetIp) =>
        Write(destination, null, MacAddress.Broadcast, OperationRequest, senderMac, senderIp, MacAddress.Zero, targetIp);

    /// <summary>Any Ethernet/IPv4 ARP frame; returns the length written, or 0 when <paramref name="destination"/> is too small.</summary>
    public static int Write(
        Span<byte> destination,
        ushort? vlanTci,
        MacAddress ethernetDestination,
        ushort operation,
        MacAddress senderMac,
        IPv4Address senderIp,
        MacAddress targetMac,
        IPv4Address targetIp)
    {
        var length = vlanTci is null ? FrameLength : TaggedFrameLength;
        if (destination.Length < length)
        {
            return 0;
        }

        var frame = destination[..length];
        frame.Clear();
        ethernetDestination.WriteTo(frame);
        senderMac.WriteTo(frame[MacAddress.Length..]);
        var l3 = FrameHeaders.EthernetLength;
        if (vlanTci is { } tci)
        {
            BinaryPrimitives.WriteUInt16BigEndian(frame[12..], EtherTypes.Vlan);
            BinaryPrimitives.WriteUInt16BigEndian(frame[14..], tci);
            l3 += FrameHeaders.VlanTagLength;
        }

        BinaryPrimitives.WriteUInt16BigEndian(frame[(l3 - 2)..], EtherTypes.Arp);
        var arp = frame[l3..];
        BinaryPrimitives.WriteUInt16BigEndian(arp, 1);
        BinaryPrimitives.WriteUInt16BigEndian(arp[2..], EtherTypes.IPv4);
        arp[4] = MacAddress.Length;
        arp[5] = IPv4Address.Length;
        BinaryPrimitives.WriteUInt16BigEndian(arp[6..], operation);
        senderMac.WriteTo(arp[8..]);
        senderIp.WriteTo(arp[14..]);
        targetMac.WriteTo(arp[18..]);
        targetIp.WriteTo(arp[24..]);
        return length;
    }
}
