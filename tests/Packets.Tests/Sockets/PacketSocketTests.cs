using TestSupport.Network;
using System.Diagnostics;
using Packets.Arp;
using Packets.Parsing;
using Packets.Sockets;
using Packets.Tests.Namespaces;
using TestSupport;
using Xunit;

namespace Packets.Tests.Sockets;

[Collection(HostNetworkTests.Name)]
public sealed class PacketSocketTests
{
    private static readonly MacAddress ProxyMac = MacAddress.Parse("02:aa:00:00:00:01");
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(500);

    [Fact]
    public async Task TryReceive_PingFromNamespace_ArpSocketsStayAsleep()
    {
        await using var veth = await VethPair.CreateAsync();
        using var arpRequests = PacketSocket.Open(veth.OuterIndex, EtherTypes.Arp, SocketFilters.ArpRequests());
        using var filteredAll = PacketSocket.Open(veth.OuterIndex, PacketSocket.AllProtocols, SocketFilters.EtherType(EtherTypes.Arp));
        using var everything = PacketSocket.Open(veth.OuterIndex, PacketSocket.AllProtocols);

        // A static neighbour, so the ping sends no ARP of its own.
        await veth.Namespace.RunAsync("ip", "neigh", "add", VethPair.OuterIp.ToString(), "lladdr", veth.OuterMac.ToString(), "dev", veth.Inner);
        await veth.Namespace.ExecAsync(HostCommands.Timeout, "ping", "-c", "1", "-W", "1", VethPair.OuterIp.ToString());

        var buffer = new byte[2048];
        Assert.True(ReceiveUntil(everything, buffer, h => h.HasIcmp && h.IcmpType == 8 && h.IPv4Destination == VethPair.OuterIp), "the ping never reached the outer end");
        Assert.False(arpRequests.TryReceive(buffer, Quiet, out _));
        Assert.False(filteredAll.TryReceive(buffer, Quiet, out _));
    }

    /// <summary>The ARP proxy's loop: arping in the namespace asks, the filtered socket wakes, our reply satisfies arping.</summary>
    [Fact]
    public async Task Send_ReplyToArpingRequest_ArpingReceivesIt()
    {
        await using var veth = await VethPair.CreateAsync();
        using var socket = PacketSocket.Open(veth.OuterIndex, EtherTypes.Arp, SocketFilters.ArpRequests());
        var target = IPv4Address.Parse("169.254.1.1");
        var innerMac = await veth.InnerMacAsync();

        var arping = veth.Namespace.ExecAsync(TaskTimeoutExtensions.Default, "arping", "-c", "1", "-w", "10", "-I", veth.Inner, target.ToString());
        var buffer = new byte[2048];
        Assert.True(socket.TryReceive(buffer, TaskTimeoutExtensions.Default, out var length), "no ARP request woke the socket");

        var request = TestFrames.Parse(buffer.AsSpan(0, length));
        Assert.True(request.HasArp);
        Assert.Equal(ArpFrames.OperationRequest, request.ArpOperation);
        Assert.Equal(innerMac, request.ArpSenderMac);
        Assert.Equal(VethPair.InnerIp, request.ArpSenderIp);
        Assert.Equal(target, request.ArpTargetIp);
        var reply = new byte[ArpFrames.TaggedFrameLength];
        var replyLength = ArpFrames.WriteReply(request, ProxyMac, reply);
        Assert.Equal(replyLength, socket.Send(reply.AsSpan(0, replyLength)));

        var result = await arping.DefaultTimeout();
        Assert.True(result.ExitCode == 0, result.AllOutput);
        Assert.Contains(ProxyMac.ToString(), result.StandardOutput, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>A request crafted and sent here: the namespace answers and learns us; the reply does not pass the requests-only filter.</summary>
    [Fact]
    public async Task Send_ArpRequestIntoNamespace_NamespaceRepliesAndLearnsSender()
    {
        await using var veth = await VethPair.CreateAsync();
        using var arp = PacketSocket.Open(veth.OuterIndex, EtherTypes.Arp, SocketFilters.EtherType(EtherTypes.Arp));
        using var requestsOnly = PacketSocket.Open(veth.OuterIndex, EtherTypes.Arp, SocketFilters.ArpRequests());
        var outerMac = veth.OuterMac;

        var request = new byte[ArpFrames.FrameLength];
        ArpFrames.WriteRequest(request, outerMac, VethPair.OuterIp, VethPair.InnerIp);
        Assert.Equal(ArpFrames.FrameLength, arp.Send(request));

        var buffer = new byte[2048];
        Assert.True(ReceiveUntil(arp, buffer, h => h.HasArp && h.ArpOperation == ArpFrames.OperationReply), "no ARP reply from the namespace");
        var reply = TestFrames.Parse(buffer);
        Assert.Equal(outerMac, reply.DestinationMac);
        Assert.Equal(await veth.InnerMacAsync(), reply.ArpSenderMac);
        Assert.Equal(VethPair.InnerIp, reply.ArpSenderIp);
        Assert.Equal(VethPair.OuterIp, reply.ArpTargetIp);
        Assert.False(requestsOnly.TryReceive(buffer, Quiet, out _));
        Assert.Contains($"lladdr {outerMac}", await veth.Namespace.RunAsync("ip", "neigh", "show", VethPair.OuterIp.ToString()), StringComparison.Ordinal);
    }

    [Fact]
    public void Open_UnknownInterfaceIndex_Throws() =>
        Assert.Throws<NativeIOException>(() => PacketSocket.Open(int.MaxValue, EtherTypes.Arp));

    private static bool ReceiveUntil(PacketSocket socket, byte[] buffer, Func<FrameHeaders, bool> wanted)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TaskTimeoutExtensions.Default)
        {
            if (socket.TryReceive(buffer, TimeSpan.FromMilliseconds(200), out var length)
                && FrameHeaders.TryParse(buffer.AsSpan(0, length), out var headers)
                && wanted(headers))
            {
                return true;
            }
        }

        return false;
    }
}
