using System.Diagnostics;
using System.Net.Sockets;
using TestSupport;
using Xunit;

namespace FelixApiProxy.Tests;

/// <summary>The published felix-api-proxy as Felix runs it: real pipes on fd 3 and 4, a real unix socket for the agent.</summary>
public sealed class FelixProxyProcessTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("felix-proxy-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Help_PrintsUsageWithTheDefaultSocket()
    {
        var result = await ChildProcess.RunAsync(PublishedDaemon.PathOf("felix-api-proxy"), ["--help"]);

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("usage: felix-api-proxy", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("/var/run/calico/felix-dataplane.sock", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownArgument_ExitsWithUsageError()
    {
        var result = await ChildProcess.RunAsync(PublishedDaemon.PathOf("felix-api-proxy"), ["--sock", "/tmp/x"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("unknown argument '--sock'", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Relay_CopiesBytesBothWaysUnchanged()
    {
        await using var run = await FelixProxyRun.StartConnectedAsync(_directory);
        var agentStream = Assert.IsType<NetworkStream>(run.Agent);

        // Larger than a pipe's and a socket's buffer, both ways at once: no deadlock, no byte lost or reordered.
        var fromFelix = RandomBytes(1, 3 * 1024 * 1024);
        var fromAgent = RandomBytes(2, 2 * 1024 * 1024 + 17);
        var felixSends = run.FelixWrites.WriteAsync(fromFelix).AsTask();
        var agentSends = agentStream.WriteAsync(fromAgent).AsTask();
        var agentGot = ReadExactlyAsync(agentStream, fromFelix.Length);
        var felixGot = ReadExactlyAsync(run.FelixReads, fromAgent.Length);
        await Task.WhenAll(felixSends, agentSends).DefaultTimeout();

        Assert.Equal(fromFelix, await agentGot.DefaultTimeout());
        Assert.Equal(fromAgent, await felixGot.DefaultTimeout());
        Assert.False(run.Process.HasExited, run.Process.Output);
        Assert.Contains("connected to the agent at " + FelixProxyRun.SocketPathIn(_directory), run.Process.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FelixClosesItsPipe_ProxyDeliversTheLastBytesAndExitsZero()
    {
        await using var run = await FelixProxyRun.StartConnectedAsync(_directory);
        var agentStream = Assert.IsType<NetworkStream>(run.Agent);

        var last = RandomBytes(3, 100_000);
        await run.FelixWrites.WriteAsync(last);
        await run.FelixWrites.DisposeAsync();

        Assert.Equal(0, await run.Process.WaitForExitAsync());
        Assert.Contains("Felix closed its pipe; Felix proxy exited", run.Process.Output, StringComparison.Ordinal);
        Assert.Equal(last, await ReadExactlyAsync(agentStream, last.Length).DefaultTimeout());
        // Then the end of the stream: the agent sees Felix's driver go away.
        Assert.Equal(0, await agentStream.ReadAsync(new byte[1]).AsTask().DefaultTimeout());
    }

    [Fact]
    public async Task AgentClosesTheSocket_ProxyClosesFelixPipeAndExitsNonZero()
    {
        await using var run = await FelixProxyRun.StartConnectedAsync(_directory);
        var agent = Assert.IsType<NetworkStream>(run.Agent);
        await agent.WriteAsync(new byte[] { 1, 2, 3 });
        agent.Socket.Close();

        Assert.Equal(1, await run.Process.WaitForExitAsync());
        Assert.Contains("the agent closed the socket; Felix proxy exited", run.Process.Output, StringComparison.Ordinal);
        Assert.Equal(new byte[] { 1, 2, 3 }, await ReadExactlyAsync(run.FelixReads, 3).DefaultTimeout());
        Assert.Equal(0, await run.FelixReads.ReadAsync(new byte[1]).AsTask().DefaultTimeout());
    }

    [Fact]
    public async Task NoAgent_TriesTenTimesOneSecondApartThenExitsNonZero()
    {
        var socket = FelixProxyRun.SocketPathIn(_directory);
        var clock = Stopwatch.StartNew();
        await using var run = await FelixProxyRun.StartAsync(_directory, "--socket", socket);

        var exitCode = await run.Process.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, exitCode);
        Assert.Contains($"Could not open socket to agent at {socket} after 10 attempts", run.Process.Output, StringComparison.Ordinal);
        Assert.Contains("attempt 9 of 10", run.Process.Output, StringComparison.Ordinal);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(8.5), TimeSpan.FromSeconds(25));
    }

    [Fact]
    public async Task AgentStartsLate_ProxyKeepsTryingAndConnects()
    {
        var socket = FelixProxyRun.SocketPathIn(_directory);
        await using var run = await FelixProxyRun.StartAsync(_directory, "--socket", socket);
        await run.Process.WaitForOutputAsync("attempt 2 of 10");

        using var listener = FelixProxyRun.ListenAsAgent(_directory);
        using var agent = await listener.AcceptAsync().DefaultTimeout();
        await using var agentStream = new NetworkStream(agent);
        await run.FelixWrites.WriteAsync("ping"u8.ToArray());

        Assert.Equal("ping"u8.ToArray(), await ReadExactlyAsync(agentStream, 4).DefaultTimeout());
        Assert.False(run.Process.HasExited, run.Process.Output);
    }

    [Fact]
    public async Task SocketFromEnvironment_IsDialled()
    {
        using var listener = FelixProxyRun.ListenAsAgent(_directory);
        var launcher = "exec 3</dev/null 4>/dev/null; exec \"$0\"";
        await using var process = DaemonProcess.StartProgram(
            "/bin/sh",
            ["-c", launcher, PublishedDaemon.PathOf("felix-api-proxy")],
            new Dictionary<string, string?> { ["FELIX_DATAPLANE_SOCKET"] = FelixProxyRun.SocketPathIn(_directory) });

        using var agent = await listener.AcceptAsync().DefaultTimeout();

        // fd 3 is /dev/null: Felix's side ends at once, and so does the proxy.
        Assert.Equal(0, await process.WaitForExitAsync());
    }

    [Fact]
    public async Task NotStartedByFelix_ExitsNonZeroNamingTheMissingDescriptor()
    {
        using var listener = FelixProxyRun.ListenAsAgent(_directory);
        var result = await ChildProcess.RunAsync(
            "/bin/sh",
            ["-c", "exec 3<&- 4>&-; exec \"$0\" --socket \"$1\"", PublishedDaemon.PathOf("felix-api-proxy"), FelixProxyRun.SocketPathIn(_directory)]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("fd 3 (the pipe from Felix) was not passed in", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PipeToFelixOpenForReading_ExitsNonZeroNamingIt()
    {
        var result = await ChildProcess.RunAsync(
            "/bin/sh",
            ["-c", "exec 3</dev/null 4</dev/null; exec \"$0\"", PublishedDaemon.PathOf("felix-api-proxy")]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("fd 4 (the pipe to Felix) is not open for writing", result.StandardError, StringComparison.Ordinal);
    }

    private static byte[] RandomBytes(int seed, int length)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static async Task<byte[]> ReadExactlyAsync(Stream stream, int length)
    {
        var buffer = new byte[length];
        await stream.ReadExactlyAsync(buffer);
        return buffer;
    }
}
