using System.Buffers.Binary;
using Packets.Checksums;
using Packets.Parsing;

namespace Packets.Rewrite;

/// <summary>
/// In-place header rewrites of the k8s_dp actions: <c>update_dst_ip</c> (DNAT), <c>update_src_ip</c>
/// (SNAT) and the MAC rewrite of <c>set_dest_mac_vport</c>. Checksums are updated incrementally
/// (RFC 1624), never recomputed over the payload, so the cost does not grow with frame size.
/// </summary>
public static class FrameRewriter
{
    private const int IPv4SourceOffset = 12;
    private const int IPv4DestinationOffset = 16;

    public static void SetDestinationMac(Span<byte> frame, MacAddress mac) => mac.WriteTo(frame);

    public static void SetSourceMac(Span<byte> frame, MacAddress mac) => mac.WriteTo(frame[MacAddress.Length..]);

    /// <summary>
    /// DNAT: writes the IPv4 destination and, for TCP and UDP, the destination port; updates
    /// <paramref name="headers"/> to match. False, with nothing changed, when the frame has no IPv4 layer.
    /// </summary>
    /// <param name="checksumPartial">
    /// The frame came with virtio NEEDS_CSUM: its TCP/UDP checksum field holds the non-complemented
    /// pseudo-header sum, which covers the addresses but not the ports.
    /// </param>
    public static bool RewriteDestination(Span<byte> frame, ref FrameHeaders headers, IPv4Address address, ushort port, bool checksumPartial = false)
    {
        if (!Rewrite(frame, headers, IPv4DestinationOffset, headers.IPv4Destination, address, 2, headers.DestinationPort, port, checksumPartial))
        {
            return false;
        }

        headers.IPv4Destination = address;
        if (headers.HasTcp || headers.HasUdp)
        {
            headers.DestinationPort = port;
        }

        return true;
    }

    /// <summary>SNAT: as <see cref="RewriteDestination"/>, for the IPv4 source and the TCP/UDP source port.</summary>
    public static bool RewriteSource(Span<byte> frame, ref FrameHeaders headers, IPv4Address address, ushort port, bool checksumPartial = false)
    {
        if (!Rewrite(frame, headers, IPv4SourceOffset, headers.IPv4Source, address, 0, headers.SourcePort, port, checksumPartial))
        {
            return false;
        }

        headers.IPv4Source = address;
        if (headers.HasTcp || headers.HasUdp)
        {
            headers.SourcePort = port;
        }

        return true;
    }

    private static bool Rewrite(
        Span<byte> frame,
        in FrameHeaders headers,
        int addressOffset,
        IPv4Address oldAddress,
        IPv4Address newAddress,
        int portOffset,
        ushort oldPort,
        ushort newPort,
        bool checksumPartial)
    {
        if (!headers.HasIPv4)
        {
            return false;
        }

        var ip = frame.Slice(headers.L3Offset, headers.IPv4HeaderLength);
        newAddress.WriteTo(ip[addressOffset..]);
        var headerChecksum = ip[IPv4Checksums.HeaderChecksumOffset..];
        BinaryPrimitives.WriteUInt16BigEndian(
            headerChecksum,
            InternetChecksum.Update(BinaryPrimitives.ReadUInt16BigEndian(headerChecksum), oldAddress.Value, newAddress.Value));

        if (!headers.HasTcp && !headers.HasUdp)
        {
            // ICMP's checksum has no pseudo-header: the address change does not touch it.
            return true;
        }

        var l4 = frame[headers.L4Offset..];
        BinaryPrimitives.WriteUInt16BigEndian(l4[portOffset..], newPort);
        var field = l4[(headers.HasTcp ? IPv4Checksums.TcpChecksumOffset : IPv4Checksums.UdpChecksumOffset)..];
        var checksum = BinaryPrimitives.ReadUInt16BigEndian(field);
        if (checksumPartial)
        {
            // The device will sum the ports itself; only the pseudo-header part changes.
            checksum = InternetChecksum.UpdateSum(checksum, oldAddress.Value, newAddress.Value);
        }
        else if (headers.HasUdp && checksum == 0)
        {
            // RFC 768: no checksum was computed, and none must appear.
            return true;
        }
        else
        {
            checksum = InternetChecksum.Update(checksum, oldAddress.Value, newAddress.Value);
            checksum = InternetChecksum.Update(checksum, oldPort, newPort);
            if (headers.HasUdp && checksum == 0)
            {
                checksum = 0xFFFF;
            }
        }

        BinaryPrimitives.WriteUInt16BigEndian(field, checksum);
        return true;
    }
}
