using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using ArpProxy.Tests.Namespaces;
using Packets;
using Packets.Arp;
using Packets.Parsing;
using Packets.Sockets;
using TestSupport;
using TestSupport.Network;
using Xunit;

namespace ArpProxy.Tests;

/// <summary>The arp-proxy binary in a network namespace, asked by iputils arping and by hand-made frames.</summary>
[Collection(HostNetworkTests.Name)]
public sealed class ArpProxyProcessTests
{
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task Start_WithoutArpProxyIf_OneLineAndExit1()
    {
        var log = Path.Combine(Path.GetTempPath(), $"arp-proxy-{Guid.NewGuid():N}.log");
        try
        {
            var result = await ChildProcess.RunAsync(
                ChildProcess.DotnetHost,
                [ProxyTopology.ProxyDll, "--log-file", log],
                environment: new Dictionary<string, string?> { ["ARP_PROXY_IF"] = null });

            Assert.Equal(1, result.ExitCode);
            var line = Assert.Single(result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("arp-proxy: configuration: ARP_PROXY_IF: not set", line, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(log);
        }
    }

    [Fact]
    public async Task Start_InterfaceNameWithSlash_OneLineAndExit1()
    {
        var result = await ChildProcess.RunAsync(
            ChildProcess.DotnetHost,
            [ProxyTopology.ProxyDll, "--log-file", string.Empty],
            environment: new Dictionary<string, string?> { ["ARP_PROXY_IF"] = "../etc" });

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("arp-proxy: configuration: ARP_PROXY_IF: '../etc' is not an interface name", result.StandardError.Trim());
    }

    /// <summary>Root without CAP_NET_RAW: waiting would not help, so it says why and exits 2.</summary>
    [Fact]
    public async Task Start_WithoutCapNetRaw_OneLineAndExit2()
    {
        var result = await ChildProcess.RunAsync(
            "setpriv",
            ["--bounding-set=-net_raw", ChildProcess.DotnetHost, ProxyTopology.ProxyDll, "--log-file", string.Empty],
            environment: new Dictionary<string, string?> { ["ARP_PROXY_IF"] = "lo" });

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("arp-proxy: cannot start: socket AF_PACKET: Operation not permitted (errno 1)", result.StandardError.Trim());
        Assert.Contains("cannot open a packet socket on lo", result.StandardOutput, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ProxyTopology.ProxyAddress)]
    [InlineData("169.254.9.9")]
    [InlineData("10.244.0.9")]
    public async Task Arping_AnyTarget_ProxyMacAnswers(string target)
    {
        await using var topology = await ProxyTopology.CreateAsync();
        await using var proxy = await StartAnsweringAsync(topology);

        var macs = await topology.ArpingAsync(target);

        Assert.True(macs.Count > 0, proxy.Output);
        var proxyMac = await topology.ProxyMacAsync();
        Assert.All(macs, mac => Assert.Equal(proxyMac, mac));
    }

    [Fact]
    public async Task Send_GarbageRepliesProbesAndAnnouncements_NoAnswerAndStillAnswers()
    {
        await using var topology = await ProxyTopology.CreateAsync();
        await using var proxy = await StartAnsweringAsync(topology);
        var proxyMac = await topology.ProxyMacAsync();
        var clientMac = await topology.ClientMacAsync();
        using var client = await topology.OpenClientSocketAsync();
        var clientIp = IPv4Address.Parse(ProxyTopology.ClientAddress);

        foreach (var frame in Unanswerable(clientMac, clientIp, proxyMac))
        {
            Assert.Equal(frame.Length, client.Send(frame));
        }

        var buffer = new byte[2048];
        Assert.False(ReceiveReply(client, buffer, Quiet, out var unexpected), $"the proxy answered: {unexpected.ArpSenderIp} is-at {unexpected.ArpSenderMac} to {unexpected.ArpTargetIp}");
        Assert.False(proxy.HasExited, proxy.Output);

        // The same socket sees the answer to a proper request, so the silence above was the proxy's.
        var request = new byte[ArpFrames.FrameLength];
        ArpFrames.WriteRequest(request, clientMac, clientIp, IPv4Address.Parse("169.254.7.7"));
        client.Send(request);
        Assert.True(ReceiveReply(client, buffer, TaskTimeoutExtensions.Default, out var reply), proxy.Output);
        Assert.Equal(proxyMac, reply.ArpSenderMac);
        Assert.Equal(IPv4Address.Parse("169.254.7.7"), reply.ArpSenderIp);
        Assert.Equal(clientMac, reply.DestinationMac);
        var macs = await topology.ArpingAsync(ProxyTopology.ProxyAddress);
        Assert.NotEmpty(macs);
        Assert.All(macs, mac => Assert.Equal(proxyMac, mac));
    }

    [Fact]
    public async Task DeleteAndRecreate_Interface_AnswersWithTheNewMacWithoutRestart()
    {
        await using var topology = await ProxyTopology.CreateAsync();
        await using var proxy = await StartAnsweringAsync(topology);
        var oldMac = await topology.ProxyMacAsync();
        Assert.Contains(oldMac, await topology.ArpingAsync(ProxyTopology.ProxyAddress));

        await topology.DeleteLinkAsync();
        await WaitForOccurrencesAsync(proxy, $"interface {topology.ProxyLink} is no longer usable", 1);
        await topology.CreateLinkAsync();
        await WaitForOccurrencesAsync(proxy, $"answering ARP requests on {topology.ProxyLink}", 2);

        var newMac = await topology.ProxyMacAsync();
        Assert.NotEqual(oldMac, newMac);
        var macs = await topology.ArpingAsync(ProxyTopology.ProxyAddress);
        Assert.NotEmpty(macs);
        Assert.All(macs, mac => Assert.Equal(newMac, mac));
        Assert.False(proxy.HasExited, proxy.Output);
    }

    [Fact]
    public async Task DownAndUp_Interface_AnswersAgain()
    {
        await using var topology = await ProxyTopology.CreateAsync();
        await using var proxy = await StartAnsweringAsync(topology);

        await topology.Proxy.RunAsync("ip", "link", "set", "dev", topology.ProxyLink, "down");
        await WaitForOccurrencesAsync(proxy, $"waiting for interface {topology.ProxyLink} to come up", 1);
        await topology.Proxy.RunAsync("ip", "link", "set", "dev", topology.ProxyLink, "up");
        await WaitForOccurrencesAsync(proxy, $"answering ARP requests on {topology.ProxyLink}", 2);

        Assert.NotEmpty(await topology.ArpingAsync("169.254.3.3"));
        Assert.False(proxy.HasExited, proxy.Output);
    }

    [Fact]
    public async Task Start_BeforeTheInterfaceExists_WaitsThenAnswers()
    {
        await using var topology = await ProxyTopology.CreateAsync(withLink: false);
        await using var proxy = topology.StartProxy();
        await proxy.WaitForOutputAsync($"waiting for interface {topology.ProxyLink} to appear");

        await topology.CreateLinkAsync();
        await proxy.WaitForOutputAsync($"answering ARP requests on {topology.ProxyLink}");

        var macs = await topology.ArpingAsync("10.244.1.1");
        Assert.NotEmpty(macs);
        var proxyMac = await topology.ProxyMacAsync();
        Assert.All(macs, mac => Assert.Equal(proxyMac, mac));
    }

    [Fact]
    public async Task Sigterm_WhileAnswering_ExitsAndLogsItsCounters()
    {
        await using var topology = await ProxyTopology.CreateAsync();
        await using var proxy = await StartAnsweringAsync(topology);
        Assert.NotEmpty(await topology.ArpingAsync(ProxyTopology.ProxyAddress));

        await HostCommands.RunAsync("kill", "-TERM", proxy.Id.ToString(CultureInfo.InvariantCulture));

        var clock = Stopwatch.StartNew();
        while (!proxy.HasExited && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(50);
        }

        Assert.True(proxy.HasExited, proxy.Output);
        Assert.Matches($@"interface {topology.ProxyLink}: [1-9]\d* replies sent", await File.ReadAllTextAsync(topology.LogFile));
    }

    private static async Task<DaemonProcess> StartAnsweringAsync(ProxyTopology topology)
    {
        var proxy = topology.StartProxy();
        try
        {
            await proxy.WaitForOutputAsync($"answering ARP requests on {topology.ProxyLink}");
            return proxy;
        }
        catch
        {
            await proxy.DisposeAsync();
            throw;
        }
    }

    private static async Task WaitForOccurrencesAsync(DaemonProcess process, string text, int count)
    {
        var clock = Stopwatch.StartNew();
        while (CountOf(process.Output, text) < count)
        {
            if (process.HasExited || clock.Elapsed > TaskTimeoutExtensions.Default)
            {
                throw new TimeoutException($"'{text}' not seen {count} times (exited: {process.HasExited}); output:\n{process.Output}");
            }

            await Task.Delay(50);
        }
    }

    private static int CountOf(string output, string text)
    {
        var count = 0;
        for (var at = output.IndexOf(text, StringComparison.Ordinal); at >= 0; at = output.IndexOf(text, at + text.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    /// <summary>Whether an ARP reply reached C within <paramref name="timeout"/>.</summary>
    private static bool ReceiveReply(PacketSocket socket, byte[] buffer, TimeSpan timeout, out FrameHeaders reply)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (socket.TryReceive(buffer, TimeSpan.FromMilliseconds(100), out var length)
                && FrameHeaders.TryParse(buffer.AsSpan(0, length), out reply)
                && reply.HasArp && reply.ArpOperation == ArpFrames.OperationReply)
            {
                return true;
            }
        }

        reply = default;
        return false;
    }

    /// <summary>Frames the proxy must not answer, many of which pass its kernel filter (EtherType ARP, oper 1).</summary>
    private static IEnumerable<byte[]> Unanswerable(MacAddress clientMac, IPv4Address clientIp, MacAddress proxyMac)
    {
        var target = IPv4Address.Parse("169.254.1.1");
        byte[] Arp(MacAddress ethernetSource, ushort operation, MacAddress senderMac, IPv4Address senderIp, IPv4Address targetIp)
        {
            var frame = new byte[ArpFrames.FrameLength];
            ArpFrames.Write(frame, null, MacAddress.Broadcast, operation, senderMac, senderIp, MacAddress.Zero, targetIp);
            ethernetSource.WriteTo(frame.AsSpan(MacAddress.Length));
            return frame;
        }

        yield return Arp(clientMac, ArpFrames.OperationReply, clientMac, clientIp, target);
        yield return Arp(clientMac, ArpFrames.OperationRequest, clientMac, clientIp, clientIp); // announcement
        yield return Arp(clientMac, ArpFrames.OperationRequest, clientMac, new IPv4Address(0), clientIp); // probe
        yield return Arp(proxyMac, ArpFrames.OperationRequest, proxyMac, clientIp, target); // ourselves
        yield return Arp(MacAddress.Parse("01:00:5e:00:00:01"), ArpFrames.OperationRequest, clientMac, clientIp, target);

        // A request whose hardware length is 8, and one cut after the operation: both pass the filter.
        var wrongLength = Arp(clientMac, ArpFrames.OperationRequest, clientMac, clientIp, target);
        wrongLength[18] = 8;
        yield return wrongLength;
        yield return Arp(clientMac, ArpFrames.OperationRequest, clientMac, clientIp, target)[..22];
        yield return Arp(clientMac, ArpFrames.OperationRequest, clientMac, clientIp, target)[..14];

        // Random bytes behind an ARP-request prefix (the filter lets them through) and behind none.
        var random = new Random(4);
        for (var i = 0; i < 200; i++)
        {
            var frame = new byte[random.Next(14, 1500)];
            random.NextBytes(frame);
            clientMac.WriteTo(frame.AsSpan(MacAddress.Length));
            if (i % 2 == 0 && frame.Length >= 22)
            {
                BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), EtherTypes.Arp);
                BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(20), ArpFrames.OperationRequest);
            }

            yield return frame;
        }
    }
}
