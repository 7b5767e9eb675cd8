using TestSupport.Network;
using System.Buffers.Binary;
using System.Diagnostics;
using Packets.Arp;
using Packets.Checksums;
using Packets.Parsing;
using Packets.Rewrite;
using Packets.Tap;
using Packets.Tests.Namespaces;
using TestSupport;
using Xunit;

namespace Packets.Tests.Tap;

[Collection(HostNetworkTests.Name)]
public sealed class TapDeviceTests
{
    private static readonly MacAddress PeerMac = MacAddress.Parse("02:00:00:00:00:99");
    private static readonly IPv4Address Peer = IPv4Address.Parse("192.0.2.2");

    [Fact]
    public async Task Open_NewName_CreatesTapThatDisappearsOnDispose()
    {
        var name = HostCommands.UniqueName("pkt");
        try
        {
            using (var tap = TapDevice.Open(name))
            {
                Assert.True(tap.Created);
                Assert.Equal(0, tap.VnetHeaderLength);
                Assert.Equal(TapOffloads.None, tap.Offloads);
                Assert.True(tap.FileDescriptor >= 0);
                var details = await HostCommands.RunAsync("ip", "-d", "link", "show", "dev", name);
                Assert.Contains($"link/ether {tap.MacAddress}", details, StringComparison.Ordinal);
                Assert.Contains("tun type tap", details, StringComparison.Ordinal);
                Assert.Contains("persist off", details, StringComparison.Ordinal);
                Assert.Equal(HostCommands.InterfaceIndex(name), tap.InterfaceIndex);
            }

            Assert.False(await HostCommands.LinkExistsAsync(name));
        }
        finally
        {
            await HostCommands.DeleteLinkIfPresentAsync(name);
        }
    }

    [Fact]
    public async Task Open_PersistentThenReattached_OutlivesEveryDescriptorUntilPersistenceCleared()
    {
        var name = HostCommands.UniqueName("pkt");
        try
        {
            MacAddress mac;
            using (var first = TapDevice.Open(name, persistent: true))
            {
                Assert.True(first.Created);
                mac = first.MacAddress;
            }

            Assert.Contains("persist on", await HostCommands.RunAsync("ip", "-d", "link", "show", "dev", name), StringComparison.Ordinal);

            using (var attached = TapDevice.Open(name, TapOffloads.Default))
            {
                Assert.False(attached.Created);
                Assert.Equal(mac, attached.MacAddress);
                Assert.Equal(VirtioNetHeader.Size, attached.VnetHeaderLength);
            }

            Assert.True(await HostCommands.LinkExistsAsync(name));

            using (var last = TapDevice.Open(name))
            {
                last.SetPersistent(false);
            }

            Assert.False(await HostCommands.LinkExistsAsync(name));
        }
        finally
        {
            await HostCommands.DeleteLinkIfPresentAsync(name);
        }
    }

    [Fact]
    public async Task Open_NameHeldByAnotherDescriptor_ThrowsBusy()
    {
        var name = HostCommands.UniqueName("pkt");
        try
        {
            using var holder = TapDevice.Open(name);

            var error = Assert.Throws<NativeIOException>(() => TapDevice.Open(name));

            Assert.Equal(16, error.Errno);
            Assert.Contains(name, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            await HostCommands.DeleteLinkIfPresentAsync(name);
        }
    }

    [Fact]
    public void Open_NameOfNonTapInterface_ThrowsInvalid()
    {
        var error = Assert.Throws<NativeIOException>(() => TapDevice.Open("lo"));

        Assert.Equal(22, error.Errno);
    }

    [Theory]
    [InlineData("")]
    [InlineData("sixteen-chars-xx")]
    [InlineData("a/b")]
    public void Open_InvalidName_ThrowsArgumentException(string name) =>
        Assert.Throws<ArgumentException>(() => TapDevice.Open(name));

    [Fact]
    public async Task Open_DefaultOffloads_KernelTurnsOnChecksumAndTso()
    {
        var name = HostCommands.UniqueName("pkt");
        try
        {
            using var tap = TapDevice.Open(name, TapOffloads.Default);

            Assert.Equal(VirtioNetHeader.Size, tap.VnetHeaderLength);
            Assert.True(tap.Offloads.HasFlag(TapOffloads.Checksum | TapOffloads.Tso4 | TapOffloads.Tso6), tap.Offloads.ToString());
            var features = await HostCommands.RunAsync("ethtool", "-k", name);
            Assert.Contains("tx-checksum-ip-generic: on", features, StringComparison.Ordinal);
            Assert.Contains("tx-tcp-segmentation: on", features, StringComparison.Ordinal);
            Assert.Contains("vnet_hdr on", await HostCommands.RunAsync("ip", "-d", "link", "show", "dev", name), StringComparison.Ordinal);
        }
        finally
        {
            await HostCommands.DeleteLinkIfPresentAsync(name);
        }
    }

    /// <summary>
    /// The ARP proxy and SoftTarget situation: the descriptor opened here, the interface moved into a
    /// pod namespace. A ping from the namespace arrives as ARP then ICMP; our answers are what it learns.
    /// </summary>
    [Fact]
    public async Task ReadWrite_PingFromNamespaceAfterMove_ArpAndEchoAnswered()
    {
        await using var ns = await NetworkNamespace.CreateAsync();
        var name = HostCommands.UniqueName("pkt");
        using var tap = TapDevice.Open(name);
        await ns.AdoptAsync(name, "192.0.2.1/24");

        var ping = ns.ExecAsync(TaskTimeoutExtensions.Default, "ping", "-c", "1", "-W", "10", Peer.ToString());
        var buffer = new byte[TapDevice.MaxReadLength];
        var reply = new byte[TapDevice.MaxReadLength];
        var arpAnswered = false;
        var echoAnswered = false;
        var clock = Stopwatch.StartNew();
        while (!echoAnswered && clock.Elapsed < TaskTimeoutExtensions.Default && !ping.IsCompleted)
        {
            if (!tap.TryRead(buffer, TimeSpan.FromMilliseconds(200), out var length) || !FrameHeaders.TryParse(buffer.AsSpan(0, length), out var headers))
            {
                continue;
            }

            if (headers.HasArp && headers.ArpOperation == ArpFrames.OperationRequest && headers.ArpTargetIp == Peer)
            {
                Assert.Equal(tap.MacAddress, headers.ArpSenderMac);
                tap.Write(reply.AsSpan(0, ArpFrames.WriteReply(headers, PeerMac, reply)));
                arpAnswered = true;
            }
            else if (headers.HasIcmp && headers.IcmpType == 8 && headers.IPv4Destination == Peer)
            {
                Assert.Equal(PeerMac, headers.DestinationMac);
                Assert.True(IPv4Checksums.VerifyTransport(buffer.AsSpan(0, length), headers));
                tap.Write(EchoReply(buffer.AsSpan(0, length), headers));
                echoAnswered = true;
            }
        }

        var result = await ping.DefaultTimeout();
        Assert.True(arpAnswered, "no ARP request for the peer read from the TAP");
        Assert.True(echoAnswered, "no echo request read from the TAP");
        Assert.True(result.ExitCode == 0, result.AllOutput);
        Assert.Contains($"lladdr {PeerMac}", await ns.RunAsync("ip", "neigh", "show", Peer.ToString(), "dev", name), StringComparison.Ordinal);
    }

    /// <summary>
    /// With TUN_F_CSUM the namespace hands over UDP with CHECKSUM_PARTIAL (virtio NEEDS_CSUM): the field
    /// holds the pseudo-header sum. DNAT with checksumPartial keeps it a valid partial checksum.
    /// </summary>
    [Fact]
    public async Task Read_UdpWithOffloads_PartialChecksumStaysValidThroughDnat()
    {
        await using var ns = await NetworkNamespace.CreateAsync();
        var name = HostCommands.UniqueName("pkt");
        using var tap = TapDevice.Open(name, TapOffloads.Default);
        await ns.AdoptAsync(name, "192.0.2.1/24");
        await ns.RunAsync("ip", "neigh", "add", Peer.ToString(), "lladdr", PeerMac.ToString(), "dev", name);

        var send = ns.ExecAsync(TaskTimeoutExtensions.Default, "bash", "-c", $"echo -n partial-checksum-payload > /dev/udp/{Peer}/9999");
        var buffer = new byte[TapDevice.MaxReadLength];
        var length = ReadUntil(tap, buffer, h => h.HasUdp && h.DestinationPort == 9999);
        Assert.Equal(0, (await send.DefaultTimeout()).ExitCode);

        Assert.True(VirtioNetHeader.TryRead(buffer, out var vnet));
        var frame = buffer.AsSpan(VirtioNetHeader.Size, length - VirtioNetHeader.Size);
        var headers = TestFrames.Parse(frame);
        Assert.True(vnet.NeedsChecksum, vnet.ToString());
        Assert.Equal(VirtioGsoType.None, vnet.GsoKind);
        Assert.Equal(headers.L4Offset, vnet.ChecksumStart);
        Assert.Equal(IPv4Checksums.UdpChecksumOffset, vnet.ChecksumOffset);
        Assert.Equal(IPv4Checksums.PseudoHeaderSum(headers), BinaryPrimitives.ReadUInt16BigEndian(frame[(headers.L4Offset + 6)..]));

        // The same frame finished first and rewritten with the full-checksum path must come out identical.
        var finishedFirst = frame.ToArray();
        Assert.True(InternetChecksum.CompletePartial(finishedFirst, vnet.ChecksumStart, vnet.ChecksumOffset));
        var finishedHeaders = TestFrames.Parse(finishedFirst);
        Assert.True(IPv4Checksums.VerifyTransport(finishedFirst, finishedHeaders));
        Assert.True(FrameRewriter.RewriteDestination(finishedFirst, ref finishedHeaders, IPv4Address.Parse("10.244.0.4"), 53));

        Assert.True(FrameRewriter.RewriteDestination(frame, ref headers, IPv4Address.Parse("10.244.0.4"), 53, checksumPartial: true));
        Assert.True(InternetChecksum.CompletePartial(frame, vnet.ChecksumStart, vnet.ChecksumOffset));
        Assert.True(IPv4Checksums.VerifyHeader(frame, headers));
        Assert.True(IPv4Checksums.VerifyTransport(frame, headers));
        Assert.Equal(finishedFirst, frame.ToArray());
    }

    private static int ReadUntil(TapDevice tap, byte[] buffer, Func<FrameHeaders, bool> wanted)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TaskTimeoutExtensions.Default)
        {
            if (tap.TryRead(buffer, TimeSpan.FromMilliseconds(200), out var length)
                && FrameHeaders.TryParse(buffer.AsSpan(tap.VnetHeaderLength, length - tap.VnetHeaderLength), out var headers)
                && wanted(headers))
            {
                return length;
            }
        }

        throw new TimeoutException($"the frame wanted did not come out of {tap.Name}");
    }

    private static byte[] EchoReply(ReadOnlySpan<byte> request, in FrameHeaders headers)
    {
        var reply = request.ToArray();
        FrameRewriter.SetDestinationMac(reply, headers.SourceMac);
        FrameRewriter.SetSourceMac(reply, headers.DestinationMac);

        // Swapping the addresses leaves both sums as they were; only the ICMP type word changes.
        headers.IPv4Destination.WriteTo(reply.AsSpan(headers.L3Offset + 12));
        headers.IPv4Source.WriteTo(reply.AsSpan(headers.L3Offset + 16));
        var icmp = reply.AsSpan(headers.L4Offset);
        var oldTypeCode = BinaryPrimitives.ReadUInt16BigEndian(icmp);
        icmp[0] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(icmp[2..], InternetChecksum.Update(BinaryPrimitives.ReadUInt16BigEndian(icmp[2..]), oldTypeCode, BinaryPrimitives.ReadUInt16BigEndian(icmp)));
        Assert.True(IPv4Checksums.VerifyTransport(reply, TestFrames.Parse(reply)));
        return reply;
    }
}
