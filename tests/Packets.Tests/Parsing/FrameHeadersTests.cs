using System.Buffers.Binary;
using FsCheck.Xunit;
using Packets.Parsing;
using Xunit;

namespace Packets.Tests.Parsing;

public sealed class FrameHeadersTests
{
    [Fact]
    public void TryParse_TcpSyn_ReadsEveryLayer()
    {
        var frame = TestFrames.IPv4(IPProtocols.Tcp, TestFrames.ClientIp, TestFrames.ServiceIp, 40000, 80, tcpFlags: TcpFlags.Syn);

        Assert.True(FrameHeaders.TryParse(frame, out var headers));

        Assert.Equal(FrameLayers.Ethernet | FrameLayers.IPv4 | FrameLayers.Tcp, headers.Layers);
        Assert.Equal(TestFrames.ServerMac, headers.DestinationMac);
        Assert.Equal(TestFrames.ClientMac, headers.SourceMac);
        Assert.Equal(EtherTypes.IPv4, headers.EtherType);
        Assert.Equal(14, headers.L3Offset);
        Assert.Equal(20, headers.IPv4HeaderLength);
        Assert.Equal(frame.Length - 14, headers.IPv4TotalLength);
        Assert.Equal(64, headers.IPv4Ttl);
        Assert.Equal(IPProtocols.Tcp, headers.IPv4Protocol);
        Assert.Equal(TestFrames.ClientIp, headers.IPv4Source);
        Assert.Equal(TestFrames.ServiceIp, headers.IPv4Destination);
        Assert.Equal(34, headers.L4Offset);
        Assert.Equal(40000, headers.SourcePort);
        Assert.Equal(80, headers.DestinationPort);
        Assert.Equal(TcpFlags.Syn, headers.TcpFlags);
        Assert.Equal(20, headers.TcpHeaderLength);
    }

    [Fact]
    public void TryParse_VlanTaggedUdpWithOptions_OffsetsFollowTagAndIhl()
    {
        var frame = TestFrames.IPv4(IPProtocols.Udp, TestFrames.ClientIp, TestFrames.ServiceIp, 5353, 53, vlanTci: 0x2064, optionsLength: 8);

        Assert.True(FrameHeaders.TryParse(frame, out var headers));

        Assert.True(headers.Has(FrameLayers.Ethernet | FrameLayers.Vlan | FrameLayers.IPv4 | FrameLayers.Udp));
        Assert.Equal(0x2064, headers.VlanTci);
        Assert.Equal(EtherTypes.IPv4, headers.EtherType);
        Assert.Equal(18, headers.L3Offset);
        Assert.Equal(28, headers.IPv4HeaderLength);
        Assert.Equal(46, headers.L4Offset);
        Assert.Equal(5353, headers.SourcePort);
        Assert.Equal(53, headers.DestinationPort);
    }

    [Fact]
    public void TryParse_ArpRequest_ReadsArpFields()
    {
        var frame = new byte[60];
        Assert.Equal(60, Packets.Arp.ArpFrames.WriteRequest(frame, TestFrames.ClientMac, TestFrames.ClientIp, IPv4Address.Parse("169.254.1.1")));

        Assert.True(FrameHeaders.TryParse(frame, out var headers));

        Assert.Equal(FrameLayers.Ethernet | FrameLayers.Arp, headers.Layers);
        Assert.Equal(MacAddress.Broadcast, headers.DestinationMac);
        Assert.Equal((ushort)1, headers.ArpHardwareType);
        Assert.Equal(EtherTypes.IPv4, headers.ArpProtocolType);
        Assert.Equal(6, headers.ArpHardwareLength);
        Assert.Equal(4, headers.ArpProtocolLength);
        Assert.Equal((ushort)1, headers.ArpOperation);
        Assert.Equal(TestFrames.ClientMac, headers.ArpSenderMac);
        Assert.Equal(TestFrames.ClientIp, headers.ArpSenderIp);
        Assert.Equal(MacAddress.Zero, headers.ArpTargetMac);
        Assert.Equal(IPv4Address.Parse("169.254.1.1"), headers.ArpTargetIp);
    }

    [Fact]
    public void TryParse_ArpForAnotherHardwareType_NoArpLayer()
    {
        var frame = new byte[60];
        Packets.Arp.ArpFrames.WriteRequest(frame, TestFrames.ClientMac, TestFrames.ClientIp, TestFrames.ServiceIp);
        frame[15] = 6; // htype IEEE 802

        Assert.True(FrameHeaders.TryParse(frame, out var headers));

        Assert.Equal(FrameLayers.Ethernet, headers.Layers);
        Assert.Equal(EtherTypes.Arp, headers.EtherType);
        Assert.Equal((ushort)6, headers.ArpHardwareType);
    }

    [Fact]
    public void TryParse_IcmpEcho_ReadsTypeAndCode()
    {
        var frame = TestFrames.IPv4(IPProtocols.Icmp, TestFrames.ClientIp, TestFrames.ServiceIp);

        Assert.True(FrameHeaders.TryParse(frame, out var headers));

        Assert.Equal(FrameLayers.Ethernet | FrameLayers.IPv4 | FrameLayers.Icmp, headers.Layers);
        Assert.Equal(8, headers.IcmpType);
        Assert.Equal(0, headers.IcmpCode);
    }

    [Fact]
    public void TryParse_IcmpEcho_ReadsTypeCodeIdentifierAndSequence()
    {
        var frame = TestFrames.IPv4(IPProtocols.Icmp, TestFrames.ClientIp, TestFrames.ServiceIp);
        frame[34] = 0; // echo reply
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(34 + 6), 7);

        var headers = TestFrames.Parse(frame);

        Assert.Equal(0x0000, headers.IcmpTypeCode);
        Assert.Equal(0x4242, headers.IcmpIdentifier);
        Assert.Equal(7, headers.IcmpSequence);
        Assert.Equal(0, headers.SourcePort);
        Assert.Equal(0, headers.DestinationPort);
    }

    [Fact]
    public void TryParse_IcmpTypeAndCode_OneFieldTypeHigh()
    {
        var frame = TestFrames.IPv4(IPProtocols.Icmp, TestFrames.ClientIp, TestFrames.ServiceIp);
        frame[34] = 3; // destination unreachable
        frame[35] = 4; // fragmentation needed

        Assert.Equal(0x0304, TestFrames.Parse(frame).IcmpTypeCode);
    }

    [Fact]
    public void TryParse_IcmpOfFourBytes_IcmpLayerWithoutIdentifier()
    {
        var frame = TestFrames.IPv4(IPProtocols.Icmp, TestFrames.ClientIp, TestFrames.ServiceIp, payloadLength: 0);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(16), 24); // total length: IPv4 header + 4 bytes

        var headers = TestFrames.Parse(frame);

        Assert.Equal(FrameLayers.Ethernet | FrameLayers.IPv4 | FrameLayers.Icmp, headers.Layers);
        Assert.Equal(0x0800, headers.IcmpTypeCode);
        Assert.Equal(0, headers.IcmpIdentifier);
    }

    [Theory]
    [InlineData(IPProtocols.Sctp, FrameLayers.Sctp)]
    [InlineData(IPProtocols.UdpLite, FrameLayers.UdpLite)]
    public void TryParse_SctpOrUdpLite_ReadsPorts(byte protocol, FrameLayers layer)
    {
        var frame = TestFrames.IPv4(protocol, TestFrames.ClientIp, TestFrames.ServiceIp, 40000, 3868);

        var headers = TestFrames.Parse(frame);

        Assert.Equal(FrameLayers.Ethernet | FrameLayers.IPv4 | layer, headers.Layers);
        Assert.Equal(protocol, headers.IPv4Protocol);
        Assert.Equal(40000, headers.SourcePort);
        Assert.Equal(3868, headers.DestinationPort);
        Assert.False(headers.HasTcp || headers.HasUdp);
    }

    [Theory]
    [InlineData(IPProtocols.Sctp, 11)]
    [InlineData(IPProtocols.UdpLite, 7)]
    public void TryParse_SctpOrUdpLiteCutShort_IPv4WithoutTransport(byte protocol, int transportBytes)
    {
        var frame = TestFrames.IPv4(protocol, TestFrames.ClientIp, TestFrames.ServiceIp, 40000, 3868, payloadLength: 0, padding: 20);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(16), (ushort)(20 + transportBytes));

        var headers = TestFrames.Parse(frame);

        Assert.Equal(FrameLayers.Ethernet | FrameLayers.IPv4, headers.Layers);
        Assert.Equal(0, headers.DestinationPort);
    }

    [Fact]
    public void TryParse_LessThanEthernetHeader_ReturnsFalse()
    {
        Assert.False(FrameHeaders.TryParse(new byte[13], out var headers));
        Assert.Equal(FrameLayers.None, headers.Layers);
    }

    [Fact]
    public void TryParse_TotalLengthBeyondFrame_NoIPv4Layer()
    {
        var frame = TestFrames.IPv4(IPProtocols.Tcp, TestFrames.ClientIp, TestFrames.ServiceIp);

        Assert.True(FrameHeaders.TryParse(frame.AsSpan(0, frame.Length - 1), out var headers));

        Assert.Equal(FrameLayers.Ethernet, headers.Layers);
    }

    [Fact]
    public void TryParse_TcpDataOffsetBeyondSegment_IPv4WithoutTcp()
    {
        var frame = TestFrames.IPv4(IPProtocols.Tcp, TestFrames.ClientIp, TestFrames.ServiceIp, payloadLength: 4);
        frame[34 + 12] = 15 << 4; // 60-byte TCP header in a 24-byte segment

        Assert.True(FrameHeaders.TryParse(frame, out var headers));

        Assert.Equal(FrameLayers.Ethernet | FrameLayers.IPv4, headers.Layers);
    }

    [Fact]
    public void TryParse_EthernetPadding_TransportBoundedByTotalLength()
    {
        // A 4-byte UDP segment padded to the Ethernet minimum: the padding must not pass for a UDP header.
        var frame = TestFrames.IPv4(IPProtocols.Udp, TestFrames.ClientIp, TestFrames.ServiceIp, payloadLength: 0, padding: 20);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(16), 24); // total length: IPv4 header + 4 bytes

        Assert.True(FrameHeaders.TryParse(frame, out var headers));

        Assert.Equal(FrameLayers.Ethernet | FrameLayers.IPv4, headers.Layers);
        Assert.Equal(24, headers.IPv4TotalLength);
    }

    [Fact]
    public void TryParse_NonFirstFragment_NoTransportLayer()
    {
        var frame = TestFrames.IPv4(IPProtocols.Udp, TestFrames.ClientIp, TestFrames.ServiceIp);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(20), 0x00B9); // offset 185 × 8

        Assert.True(FrameHeaders.TryParse(frame, out var headers));

        Assert.Equal(FrameLayers.Ethernet | FrameLayers.IPv4 | FrameLayers.IPv4Fragment, headers.Layers);
        Assert.Equal(0, headers.DestinationPort);
    }

    [Theory]
    [InlineData(0x45, true)]
    [InlineData(0x44, false)] // IHL 4
    [InlineData(0x65, false)] // version 6
    public void TryParse_VersionAndIhl_DecideIPv4(byte versionIhl, bool isIPv4)
    {
        var frame = TestFrames.IPv4(IPProtocols.Udp, TestFrames.ClientIp, TestFrames.ServiceIp);
        frame[14] = versionIhl;

        var headers = TestFrames.Parse(frame);

        Assert.Equal(isIPv4, headers.HasIPv4);
    }

    [Fact]
    public void TryParse_VlanTagCutShort_EthernetOnly()
    {
        var frame = TestFrames.IPv4(IPProtocols.Udp, TestFrames.ClientIp, TestFrames.ServiceIp, vlanTci: 7);

        Assert.True(FrameHeaders.TryParse(frame.AsSpan(0, 16), out var headers));

        Assert.Equal(FrameLayers.Ethernet, headers.Layers);
        Assert.Equal(EtherTypes.Vlan, headers.EtherType);
    }

    [Property(MaxTest = 2000)]
    public bool TryParse_RandomBytes_NeverThrowsAndStaysInBounds(byte[] bytes) => ParsesWithinBounds(bytes);

    /// <summary>Random bytes behind a plausible EtherType and version, so the deeper parsers get exercised too.</summary>
    [Property(MaxTest = 5000)]
    public bool TryParse_RandomBytesBehindPlausibleHeaders_NeverThrowsAndStaysInBounds(byte[] bytes, bool vlan, byte kind, byte totalLengthLow)
    {
        var l3 = vlan ? 18 : 14;
        var frame = new byte[l3 + (bytes?.Length ?? 0)];
        bytes?.CopyTo(frame, l3);
        if (vlan)
        {
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), EtherTypes.Vlan);
        }

        var isArp = kind % 4 == 3;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(l3 - 2), isArp ? EtherTypes.Arp : EtherTypes.IPv4);
        if (isArp && frame.Length >= l3 + 6)
        {
            frame[l3 + 1] = 1;
            frame[l3 + 2] = 8;
            frame[l3 + 3] = 0;
            frame[l3 + 4] = 6;
            frame[l3 + 5] = 4;
        }
        else if (!isArp && frame.Length >= l3 + 20)
        {
            frame[l3] = (byte)(0x40 | (frame[l3] & 0x0F));
            frame[l3 + 2] = 0;
            frame[l3 + 3] = totalLengthLow;
            frame[l3 + 6] &= 0xE0;
            frame[l3 + 7] = 0;
            frame[l3 + 9] = (kind % 8) switch { 0 => IPProtocols.Tcp, 1 => IPProtocols.Udp, 4 => IPProtocols.Sctp, 5 => IPProtocols.UdpLite, _ => IPProtocols.Icmp };
        }

        return ParsesWithinBounds(frame);
    }

    [Property(MaxTest = 200)]
    public bool TryParse_EveryTruncationOfValidFrames_NeverThrowsAndStaysInBounds(bool vlan, byte options, byte payload)
    {
        foreach (var protocol in new[] { IPProtocols.Tcp, IPProtocols.Udp, IPProtocols.Icmp, IPProtocols.Sctp, IPProtocols.UdpLite })
        {
            var frame = TestFrames.IPv4(protocol, TestFrames.ClientIp, TestFrames.ServiceIp, payloadLength: payload % 64, vlanTci: vlan ? (ushort)1 : null, optionsLength: options % 11 * 4);
            for (var length = 0; length <= frame.Length; length++)
            {
                if (!ParsesWithinBounds(frame.AsSpan(0, length)))
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static bool ParsesWithinBounds(ReadOnlySpan<byte> frame)
    {
        if (!FrameHeaders.TryParse(frame, out var headers))
        {
            return frame.Length < FrameHeaders.EthernetLength && headers.Layers == FrameLayers.None;
        }

        var ok = headers.L3Offset <= frame.Length;
        if (headers.HasArp)
        {
            ok &= headers.L3Offset + FrameHeaders.ArpLength <= frame.Length;
        }

        if (headers.HasIPv4)
        {
            ok &= headers.IPv4HeaderLength >= 20 && headers.L3Offset + headers.IPv4TotalLength <= frame.Length
                && headers.L4Offset == headers.L3Offset + headers.IPv4HeaderLength;
        }

        var end = headers.L3Offset + headers.IPv4TotalLength;
        if (headers.HasTcp)
        {
            ok &= headers.HasIPv4 && headers.L4Offset + headers.TcpHeaderLength <= end;
        }

        if (headers.HasUdp)
        {
            ok &= headers.HasIPv4 && headers.L4Offset + FrameHeaders.UdpLength <= end;
        }

        if (headers.HasIcmp)
        {
            ok &= headers.HasIPv4 && headers.L4Offset + FrameHeaders.IcmpMinimumLength <= end;
            ok &= headers.IcmpIdentifier == 0 || headers.L4Offset + FrameHeaders.IcmpHeaderLength <= end;
        }

        if (headers.HasSctp)
        {
            ok &= headers.HasIPv4 && headers.L4Offset + FrameHeaders.SctpCommonHeaderLength <= end;
        }

        if (headers.HasUdpLite)
        {
            ok &= headers.HasIPv4 && headers.L4Offset + FrameHeaders.UdpLiteLength <= end;
        }

        // At most one transport layer.
        ok &= System.Numerics.BitOperations.PopCount((uint)(headers.Layers & (FrameLayers.Tcp | FrameLayers.Udp | FrameLayers.Icmp | FrameLayers.Sctp | FrameLayers.UdpLite))) <= 1;

        return ok;
    }
}
