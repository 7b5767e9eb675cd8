using Xunit;

namespace Scripts.Tests;

/// <summary>arp_proxy.sh's argument and environment checks: nothing is started.</summary>
public sealed class ArpProxyScriptTests : IDisposable
{
    private const string Script = "arp_proxy.sh";
    private const string Usage = "usage: scripts/arp_proxy.sh [start|stop|status]";

    private readonly ScriptSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task Run_UnknownCommand_SaysSoWithUsage()
    {
        var result = await _sandbox.RunAsync(Script, ["restart"]);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"arp_proxy: unknown command 'restart'\n{Usage}", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_Help_UsageOnStdoutExit0()
    {
        var result = await _sandbox.RunAsync(Script, ["--help"]);

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith(Usage, result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_TwoCommands_Usage()
    {
        var result = await _sandbox.RunAsync(Script, ["start", "stop"]);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith(Usage, result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_NothingStarted_Exit3()
    {
        var result = await _sandbox.RunAsync(Script, ["status"]);

        Assert.Equal(3, result.ExitCode);
        Assert.Equal("arp_proxy: arp-proxy is not running", result.StandardOutput.Trim());
    }

    [Fact]
    public async Task Start_InterfaceMissing_SaysSoAndMakesNoNamespace()
    {
        var netns = $"k8sio-none-{Guid.NewGuid():N}";
        var result = await _sandbox.RunAsync(Script, ["start"], new Dictionary<string, string?>
        {
            ["ARP_PROXY_IF"] = "nosuchif0",
            ["ARP_PROXY_NETNS"] = netns,
            ["ARP_PROXY_BIN"] = "/bin/true",
        });

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"arp_proxy: interface nosuchif0 does not exist (here or in netns {netns})", result.StandardError, StringComparison.Ordinal);
        Assert.False(File.Exists($"/run/netns/{netns}"));
    }

    [Fact]
    public async Task Start_BinaryNotExecutable_SaysSo()
    {
        var result = await _sandbox.RunAsync(Script, ["start"], new Dictionary<string, string?> { ["ARP_PROXY_BIN"] = "/nonexistent/arp-proxy" });

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("arp_proxy: ARP_PROXY_BIN=/nonexistent/arp-proxy is not an executable file", result.StandardError.Trim());
    }
}
