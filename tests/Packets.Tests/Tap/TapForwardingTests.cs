using TestSupport.Network;
using System.Diagnostics;
using System.Text.Json;
using Packets.Tap;
using Packets.Tests.Namespaces;
using TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace Packets.Tests.Tap;

[Collection(HostNetworkTests.Name)]
public sealed class TapForwardingTests
{
    private readonly ITestOutputHelper _output;

    public TapForwardingTests(ITestOutputHelper output)
    {
        _output = output;
    }

    /// <summary>
    /// TCP from a client namespace to a "service" address, through two offloading TAPs and a DNAT/SNAT
    /// wire, to iperf3 in a server namespace: the kernel hands over GSO super-frames with partial
    /// checksums, the incremental rewrites keep them right, and the other kernel accepts them.
    /// </summary>
    [Fact]
    public async Task Forward_TcpThroughNatWithOffloads_GsoSuperFramesArriveWithValidChecksums()
    {
        await using var client = await NetworkNamespace.CreateAsync();
        await using var server = await NetworkNamespace.CreateAsync();
        var clientName = HostCommands.UniqueName("pkc");
        var serverName = HostCommands.UniqueName("pks");
        using var clientTap = TapDevice.Open(clientName, TapOffloads.Default);
        using var serverTap = TapDevice.Open(serverName, TapOffloads.Default);
        await client.AdoptAsync(clientName, "192.0.2.1/24");
        await server.AdoptAsync(serverName, "192.0.2.2/24");

        // As the pipeline would after ARP: the service and the client resolve to the far TAP's own MAC.
        await client.RunAsync("ip", "neigh", "add", "192.0.2.100", "lladdr", serverTap.MacAddress.ToString(), "dev", clientName);
        await server.RunAsync("ip", "neigh", "add", "192.0.2.1", "lladdr", clientTap.MacAddress.ToString(), "dev", serverName);
        using var wire = new NatWire(clientTap, serverTap, IPv4Address.Parse("192.0.2.100"), 80, IPv4Address.Parse("192.0.2.2"), 5201);

        var iperfServer = server.ExecAsync(TimeSpan.FromSeconds(60), "iperf3", "-s", "-1", "-p", "5201");
        await WaitForListenerAsync(server, 5201);
        var result = await client.ExecAsync(TimeSpan.FromSeconds(60), "iperf3", "-c", "192.0.2.100", "-p", "80", "-t", "2", "-J");
        await iperfServer.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.True(result.ExitCode == 0, result.AllOutput);
        using var report = JsonDocument.Parse(result.StandardOutput);
        var bitsPerSecond = report.RootElement.GetProperty("end").GetProperty("sum_received").GetProperty("bits_per_second").GetDouble();
        _output.WriteLine($"{bitsPerSecond / 1e9:F2} Gbit/s; {wire.TcpFrames} TCP frames, {wire.GsoFrames} GSO, largest {wire.LargestFrame} bytes, {wire.Rewritten} rewritten");
        Assert.Null(wire.Failure);
        Assert.Equal(0, wire.BadChecksums);
        Assert.True(wire.GsoFrames > 0, "no GSO super-frame came out of the client TAP");
        Assert.True(wire.LargestFrame > 1514, $"largest frame {wire.LargestFrame}");
        Assert.Equal(wire.TcpFrames, wire.Rewritten);
    }

    private static async Task WaitForListenerAsync(NetworkNamespace ns, int port)
    {
        var clock = Stopwatch.StartNew();
        while (!(await ns.RunAsync("ss", "-Hltn", $"sport = :{port}")).Contains($":{port}", StringComparison.Ordinal))
        {
            if (clock.Elapsed > TaskTimeoutExtensions.Default)
            {
                throw new TimeoutException($"nothing listens on {port} in {ns.Name}");
            }

            await Task.Delay(50);
        }
    }
}
