using System.Buffers.Binary;
using Packets;
using Packets.Checksums;
using Packets.Parsing;
using SoftTargetKit;

namespace SoftTarget.Tests.DataPlane;

/// <summary>Ethernet/IPv4 frames as a pod sends them to its gateway, with correct checksums where the protocol has one we compute.</summary>
internal static class Frames
{
    private static readonly MacAddress Gateway = MacAddress.Parse(Pod.GatewayMac);
    private static readonly MacAddress Sender = MacAddress.Parse("02:00:00:00:00:0a");

    public static byte[] Tcp(string source, ushort sourcePort, string destination, ushort destinationPort, byte flags = TcpFlags.Syn)
    {
        var tcp = new byte[20];
        Ports(tcp, sourcePort, destinationPort);
        tcp[12] = 5 << 4;
        tcp[13] = flags;
        BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(14), 65535);
        return IPv4(IPProtocols.Tcp, source, destination, tcp);
    }

    public static byte[] Udp(string source, ushort sourcePort, string destination, ushort destinationPort)
    {
        var udp = new byte[12];
        Ports(udp, sourcePort, destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(4), (ushort)udp.Length);
        return IPv4(IPProtocols.Udp, source, destination, udp);
    }

    public static byte[] Sctp(string source, ushort sourcePort, string destination, ushort destinationPort)
    {
        var sctp = new byte[12];
        Ports(sctp, sourcePort, destinationPort);
        return IPv4(IPProtocols.Sctp, source, destination, sctp);
    }

    public static byte[] UdpLite(string source, ushort sourcePort, string destination, ushort destinationPort)
    {
        var udpLite = new byte[8];
        Ports(udpLite, sourcePort, destinationPort);
        return IPv4(IPProtocols.UdpLite, source, destination, udpLite);
    }

    /// <summary>An ICMP message; echo request (8) and reply (0) carry <paramref name="identifier"/>.</summary>
    public static byte[] Icmp(string source, string destination, byte type, byte code = 0, ushort identifier = 0x4242)
    {
        var icmp = new byte[16];
        icmp[0] = type;
        icmp[1] = code;
        BinaryPrimitives.WriteUInt16BigEndian(icmp.AsSpan(4), identifier);
        BinaryPrimitives.WriteUInt16BigEndian(icmp.AsSpan(6), 1);
        return IPv4(IPProtocols.Icmp, source, destination, icmp);
    }

    /// <summary>An IPv4 packet of any protocol with <paramref name="transport"/> as its payload.</summary>
    public static byte[] IPv4(byte protocol, string source, string destination, ReadOnlySpan<byte> transport)
    {
        var frame = new byte[FrameHeaders.EthernetLength + FrameHeaders.IPv4MinimumLength + transport.Length];
        Gateway.WriteTo(frame);
        Sender.WriteTo(frame.AsSpan(6));
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), EtherTypes.IPv4);
        var ip = frame.AsSpan(FrameHeaders.EthernetLength);
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)ip.Length);
        ip[8] = 64;
        ip[9] = protocol;
        IPv4Address.Parse(source).WriteTo(ip[12..]);
        IPv4Address.Parse(destination).WriteTo(ip[16..]);
        transport.CopyTo(ip[FrameHeaders.IPv4MinimumLength..]);
        if (!FrameHeaders.TryParse(frame, out var headers))
        {
            throw new InvalidOperationException("the frame built does not parse");
        }

        IPv4Checksums.UpdateHeader(frame, headers);
        if (IPv4Checksums.ComputeTransport(frame, headers) is { } checksum)
        {
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(IPv4Checksums.TransportChecksumPosition(headers)), checksum);
        }

        return frame;
    }

    public static FrameHeaders Parse(byte[] frame) =>
        FrameHeaders.TryParse(frame, out var headers) ? headers : throw new InvalidOperationException("not a frame");

    private static void Ports(Span<byte> transport, ushort sourcePort, ushort destinationPort)
    {
        BinaryPrimitives.WriteUInt16BigEndian(transport, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(transport[2..], destinationPort);
    }
}
