using System.Buffers.Binary;
using FsCheck.Xunit;
using Packets.Checksums;
using Packets.Parsing;
using Packets.Rewrite;
using Xunit;

namespace Packets.Tests.Rewrite;

public sealed class FrameRewriterTests
{
    private static readonly IPv4Address Backend = IPv4Address.Parse("10.244.0.4");

    [Theory]
    [InlineData(IPProtocols.Tcp, null, 0)]
    [InlineData(IPProtocols.Tcp, (ushort)100, 40)]
    [InlineData(IPProtocols.Udp, null, 0)]
    [InlineData(IPProtocols.Udp, (ushort)100, 8)]
    public void RewriteDestination_FullChecksum_BothChecksumsEqualRecompute(byte protocol, ushort? vlan, int options)
    {
        var frame = TestFrames.IPv4(protocol, TestFrames.ClientIp, TestFrames.ServiceIp, 40000, 80, payloadLength: 777, vlanTci: vlan, optionsLength: options);
        var headers = TestFrames.Parse(frame);

        Assert.True(FrameRewriter.RewriteDestination(frame, ref headers, Backend, 8080));

        AssertChecksumsRecomputed(frame, headers.L3Offset);
        var reparsed = TestFrames.Parse(frame);
        Assert.Equal(Backend, reparsed.IPv4Destination);
        Assert.Equal(8080, reparsed.DestinationPort);
        Assert.Equal(TestFrames.ClientIp, reparsed.IPv4Source);
        Assert.Equal(40000, reparsed.SourcePort);
        Assert.Equal(reparsed.IPv4Destination, headers.IPv4Destination);
        Assert.Equal(reparsed.DestinationPort, headers.DestinationPort);
    }

    [Theory]
    [InlineData(IPProtocols.Tcp)]
    [InlineData(IPProtocols.Udp)]
    public void RewriteSource_FullChecksum_BothChecksumsEqualRecompute(byte protocol)
    {
        var frame = TestFrames.IPv4(protocol, Backend, TestFrames.ClientIp, 8080, 40000, payloadLength: 100);
        var headers = TestFrames.Parse(frame);

        Assert.True(FrameRewriter.RewriteSource(frame, ref headers, TestFrames.ServiceIp, 80));

        AssertChecksumsRecomputed(frame, 14);
        var reparsed = TestFrames.Parse(frame);
        Assert.Equal(TestFrames.ServiceIp, reparsed.IPv4Source);
        Assert.Equal(80, reparsed.SourcePort);
        Assert.Equal(TestFrames.ClientIp, reparsed.IPv4Destination);
        Assert.Equal(40000, reparsed.DestinationPort);
        Assert.Equal(reparsed.IPv4Source, headers.IPv4Source);
        Assert.Equal(reparsed.SourcePort, headers.SourcePort);
    }

    [Fact]
    public void RewriteDestination_UdpWithoutChecksum_StaysZero()
    {
        var frame = TestFrames.IPv4(IPProtocols.Udp, TestFrames.ClientIp, TestFrames.ServiceIp, checksum: L4Checksum.None);
        var headers = TestFrames.Parse(frame);

        Assert.True(FrameRewriter.RewriteDestination(frame, ref headers, Backend, 5353));

        Assert.Equal(0, BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(34 + 6)));
        Assert.Equal(5353, BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(34 + 2)));
        Assert.Equal(ReferenceChecksum.IPv4Header(frame, 14), BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(14 + 10)));
    }

    [Fact]
    public void RewriteDestination_UdpChecksumComingOutZero_WritesAllOnes()
    {
        // Find the destination port whose UDP checksum computes to 0, which RFC 768 sends as 0xFFFF.
        var original = TestFrames.IPv4(IPProtocols.Udp, TestFrames.ClientIp, TestFrames.ServiceIp, payloadLength: 10);
        ushort? port = null;
        for (var candidate = 0; candidate <= ushort.MaxValue && port is null; candidate++)
        {
            var probe = original.ToArray();
            Backend.WriteTo(probe.AsSpan(14 + 16));
            BinaryPrimitives.WriteUInt16BigEndian(probe.AsSpan(34 + 2), (ushort)candidate);
            if (ReferenceChecksum.Transport(probe, 14) == 0xFFFF && RawChecksumIsZero(probe))
            {
                port = (ushort)candidate;
            }
        }

        Assert.NotNull(port);
        var headers = TestFrames.Parse(original);

        Assert.True(FrameRewriter.RewriteDestination(original, ref headers, Backend, port.Value));

        Assert.Equal(0xFFFF, BinaryPrimitives.ReadUInt16BigEndian(original.AsSpan(34 + 6)));
        var reparsed = TestFrames.Parse(original);
        Assert.True(IPv4Checksums.VerifyTransport(original, reparsed));
    }

    [Theory]
    [InlineData(IPProtocols.Tcp)]
    [InlineData(IPProtocols.Udp)]
    public void RewriteDestination_PartialChecksum_FieldBecomesNewPseudoHeaderSum(byte protocol)
    {
        var frame = TestFrames.IPv4(protocol, TestFrames.ClientIp, TestFrames.ServiceIp, 40000, 80, payloadLength: 1400, checksum: L4Checksum.Partial);
        var headers = TestFrames.Parse(frame);

        Assert.True(FrameRewriter.RewriteDestination(frame, ref headers, Backend, 8080, checksumPartial: true));

        var field = 34 + (protocol == IPProtocols.Tcp ? 16 : 6);
        Assert.Equal(TestFrames.PseudoHeaderSum(frame, 14), BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(field)));
        Assert.Equal(ReferenceChecksum.IPv4Header(frame, 14), BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(14 + 10)));

        // What the receiving device then does: the finished checksum is right for the rewritten packet.
        Assert.True(InternetChecksum.CompletePartial(frame, 34, field - 34));
        Assert.Equal(ReferenceChecksum.Transport(frame, 14), BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(field)));
    }

    [Theory]
    [InlineData(IPProtocols.Tcp)]
    [InlineData(IPProtocols.Udp)]
    public void RewriteSource_PartialChecksumPortOnly_FieldUntouched(byte protocol)
    {
        var frame = TestFrames.IPv4(protocol, Backend, TestFrames.ClientIp, 8080, 40000, checksum: L4Checksum.Partial);
        var headers = TestFrames.Parse(frame);
        var field = 34 + (protocol == IPProtocols.Tcp ? 16 : 6);
        var before = BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(field));

        Assert.True(FrameRewriter.RewriteSource(frame, ref headers, Backend, 80, checksumPartial: true));

        Assert.Equal(before, BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(field)));
        Assert.Equal(80, BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(34)));
    }

    [Fact]
    public void RewriteDestination_Icmp_OnlyAddressAndHeaderChecksumChange()
    {
        var frame = TestFrames.IPv4(IPProtocols.Icmp, TestFrames.ClientIp, TestFrames.ServiceIp);
        var icmpBefore = frame.AsSpan(34).ToArray();
        var headers = TestFrames.Parse(frame);

        Assert.True(FrameRewriter.RewriteDestination(frame, ref headers, Backend, 9));

        Assert.Equal(icmpBefore, frame.AsSpan(34).ToArray());
        Assert.Equal(Backend, IPv4Address.Read(frame.AsSpan(14 + 16)));
        Assert.Equal(ReferenceChecksum.IPv4Header(frame, 14), BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(14 + 10)));
        Assert.Equal(0, headers.DestinationPort);
    }

    [Fact]
    public void RewriteDestination_Arp_ReturnsFalseAndChangesNothing()
    {
        var frame = new byte[60];
        Packets.Arp.ArpFrames.WriteRequest(frame, TestFrames.ClientMac, TestFrames.ClientIp, TestFrames.ServiceIp);
        var before = frame.ToArray();
        var headers = TestFrames.Parse(frame);

        Assert.False(FrameRewriter.RewriteDestination(frame, ref headers, Backend, 1));
        Assert.False(FrameRewriter.RewriteSource(frame, ref headers, Backend, 1));
        Assert.Equal(before, frame);
    }

    [Fact]
    public void SetMacs_SetDestMacVport_SourceBecomesOldDestination()
    {
        var frame = TestFrames.IPv4(IPProtocols.Tcp, TestFrames.ClientIp, TestFrames.ServiceIp);
        var newMac = MacAddress.Parse("aa:bb:cc:dd:ee:ff");
        var headers = TestFrames.Parse(frame);

        FrameRewriter.SetSourceMac(frame, headers.DestinationMac);
        FrameRewriter.SetDestinationMac(frame, newMac);

        var reparsed = TestFrames.Parse(frame);
        Assert.Equal(newMac, reparsed.DestinationMac);
        Assert.Equal(TestFrames.ServerMac, reparsed.SourceMac);
        Assert.True(IPv4Checksums.VerifyTransport(frame, reparsed));
    }

    /// <summary>DNAT then SNAT with arbitrary values on arbitrary frames: every checksum stays what a recompute gives.</summary>
    [Property(MaxTest = 1000)]
    public bool RewriteBoth_RandomFramesAndValues_ChecksumsEqualRecompute(
        bool tcp, bool vlan, byte options, ushort payload, uint newDestination, ushort newDestinationPort, uint newSource, ushort newSourcePort, uint source, ushort sourcePort, byte seed)
    {
        var protocol = tcp ? IPProtocols.Tcp : IPProtocols.Udp;
        var frame = TestFrames.IPv4(protocol, new IPv4Address(source), TestFrames.ServiceIp, sourcePort, 53, payload % 1500, vlan ? (ushort)5 : null, options % 11 * 4, seed: seed);
        var headers = TestFrames.Parse(frame);

        var rewritten = FrameRewriter.RewriteDestination(frame, ref headers, new IPv4Address(newDestination), newDestinationPort)
            && FrameRewriter.RewriteSource(frame, ref headers, new IPv4Address(newSource), newSourcePort);

        var l3 = headers.L3Offset;
        var l4 = headers.L4Offset;
        var field = l4 + (tcp ? 16 : 6);
        return rewritten
            && BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(l3 + 10)) == ReferenceChecksum.IPv4Header(frame, l3)
            && BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(field)) == ReferenceChecksum.Transport(frame, l3)
            && FrameHeaders.TryParse(frame, out var reparsed)
            && reparsed.IPv4Destination == new IPv4Address(newDestination) && reparsed.DestinationPort == newDestinationPort
            && reparsed.IPv4Source == new IPv4Address(newSource) && reparsed.SourcePort == newSourcePort;
    }

    /// <summary>The same for CHECKSUM_PARTIAL frames: the field stays the pseudo-header sum of the rewritten addresses.</summary>
    [Property(MaxTest = 1000)]
    public bool RewriteBoth_RandomPartialFrames_FieldIsPseudoHeaderSum(bool tcp, ushort payload, uint newDestination, uint newSource, ushort port, uint source)
    {
        var protocol = tcp ? IPProtocols.Tcp : IPProtocols.Udp;
        var frame = TestFrames.IPv4(protocol, new IPv4Address(source), TestFrames.ServiceIp, payloadLength: payload % 9000, checksum: L4Checksum.Partial);
        var headers = TestFrames.Parse(frame);

        FrameRewriter.RewriteDestination(frame, ref headers, new IPv4Address(newDestination), port, checksumPartial: true);
        FrameRewriter.RewriteSource(frame, ref headers, new IPv4Address(newSource), port, checksumPartial: true);

        var field = 34 + (tcp ? 16 : 6);
        var expected = TestFrames.PseudoHeaderSum(frame, 14);
        var actual = BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(field));
        return (actual == expected || (actual is 0 or 0xFFFF && expected is 0 or 0xFFFF))
            && BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(14 + 10)) == ReferenceChecksum.IPv4Header(frame, 14);
    }

    private static void AssertChecksumsRecomputed(byte[] frame, int l3)
    {
        Assert.Equal(ReferenceChecksum.IPv4Header(frame, l3), BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(l3 + 10)));
        var l4 = l3 + ((frame[l3] & 0x0F) * 4);
        var field = l4 + (frame[l3 + 9] == IPProtocols.Tcp ? 16 : 6);
        Assert.Equal(ReferenceChecksum.Transport(frame, l3), BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(field)));
        var headers = TestFrames.Parse(frame);
        Assert.True(IPv4Checksums.VerifyHeader(frame, headers));
        Assert.True(IPv4Checksums.VerifyTransport(frame, headers));
    }

    private static bool RawChecksumIsZero(byte[] frame)
    {
        var copy = frame.ToArray();
        copy[34 + 6] = 0;
        copy[34 + 7] = 0;
        var pseudo = TestFrames.PseudoHeaderSum(copy, 14);
        return (ushort)~ReferenceChecksum.Sum(copy.AsSpan(34, copy.Length - 34), pseudo) == 0;
    }
}
