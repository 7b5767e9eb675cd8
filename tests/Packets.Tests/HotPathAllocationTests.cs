using Packets.Arp;
using Packets.Checksums;
using Packets.Parsing;
using Packets.Rewrite;
using Xunit;

namespace Packets.Tests;

/// <summary>What SoftTarget and the ARP proxy do per packet must not allocate (STYLE.md, hot paths).</summary>
public sealed class HotPathAllocationTests
{
    [Fact]
    public void PerPacketWork_AfterWarmUp_AllocatesNothing()
    {
        var tcp = TestFrames.IPv4(IPProtocols.Tcp, TestFrames.ClientIp, TestFrames.ServiceIp, payloadLength: 1400, vlanTci: 9);
        var udp = TestFrames.IPv4(IPProtocols.Udp, TestFrames.ClientIp, TestFrames.ServiceIp, checksum: L4Checksum.Partial);
        var arp = new byte[ArpFrames.FrameLength];
        ArpFrames.WriteRequest(arp, TestFrames.ClientMac, TestFrames.ClientIp, TestFrames.ServiceIp);
        var reply = new byte[ArpFrames.TaggedFrameLength];
        var backend = IPv4Address.Parse("10.244.0.4");

        Assert.True(PerPacket(tcp, udp, arp, reply, backend));
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            PerPacket(tcp, udp, arp, reply, backend);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static bool PerPacket(byte[] tcp, byte[] udp, byte[] arp, byte[] reply, IPv4Address backend)
    {
        var parsed = FrameHeaders.TryParse(tcp, out var tcpHeaders);
        FrameRewriter.RewriteDestination(tcp, ref tcpHeaders, backend, 8080);
        FrameRewriter.RewriteSource(tcp, ref tcpHeaders, TestFrames.ServiceIp, 80);
        FrameRewriter.SetSourceMac(tcp, tcpHeaders.DestinationMac);
        FrameRewriter.SetDestinationMac(tcp, TestFrames.ServerMac);
        IPv4Checksums.VerifyTransport(tcp, tcpHeaders);

        parsed &= FrameHeaders.TryParse(udp, out var udpHeaders);
        FrameRewriter.RewriteDestination(udp, ref udpHeaders, backend, 53, checksumPartial: true);
        InternetChecksum.Sum(udp);

        parsed &= FrameHeaders.TryParse(arp, out var arpHeaders);
        return parsed && ArpFrames.WriteReply(arpHeaders, TestFrames.ServerMac, reply) > 0;
    }
}
