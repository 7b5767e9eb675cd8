using System.Globalization;
using TestSupport;
using TestSupport.Network;
using Xunit;

namespace Scripts.Tests;

/// <summary>create_interfaces.sh without the IPDK recipe: SoftTarget makes the TAPs.</summary>
[Collection(HostNetworkTests.Name)]
public sealed class CreateInterfacesSoftTargetTests : IDisposable
{
    private const string Script = "create_interfaces.sh";

    private readonly ScriptSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    /// <summary>The whole SoftTarget path with mTLS: 8 TAPs with MTU 1280 and up, then stop.</summary>
    [Fact]
    public async Task Run_8WithoutRecipe_SoftTargetMakesTheTapsAndStopStopsIt()
    {
        using var certificates = new TestCertificates();
        var prefix = HostCommands.UniqueName("ct") + "_";
        var log = Path.Combine(_sandbox.Directory, "softtarget.log");
        var environment = new Dictionary<string, string?>
        {
            ["SOFTTARGET_BIN"] = _sandbox.DaemonWrapper("softtarget.dll"),
            ["CERTS_DIR"] = certificates.Root,
            ["TAP_PREFIX"] = prefix,
            ["SOFTTARGET_LOG"] = log,
            ["SOFTTARGET_ARGS"] = $"--addr 127.0.0.1:{FreePort.Next()} --gnmi-addr 127.0.0.1:{FreePort.Next()}",
        };
        var taps = Enumerable.Range(0, 8).Select(i => prefix + i.ToString(CultureInfo.InvariantCulture)).ToArray();
        var pidFile = Path.Combine(_sandbox.StateDirectory, "softtarget.pid");
        try
        {
            var started = await _sandbox.RunAsync(Script, ["8"], environment);

            Assert.True(started.ExitCode == 0, started.AllOutput);
            foreach (var tap in taps)
            {
                var link = await HostCommands.RunAsync("ip", "-o", "link", "show", "dev", tap);
                Assert.Contains("mtu 1280", link, StringComparison.Ordinal);
                Assert.Contains(",UP", link, StringComparison.Ordinal);
            }

            Assert.Contains("softtarget serving", await File.ReadAllTextAsync(log), StringComparison.Ordinal);
            Assert.Contains("mtls", await File.ReadAllTextAsync(log), StringComparison.Ordinal);
            var pid = int.Parse(await File.ReadAllTextAsync(pidFile), CultureInfo.InvariantCulture);
            Assert.True(Processes.IsRunning(pid));

            var stopped = await _sandbox.RunAsync(Script, ["stop"], environment);

            Assert.True(stopped.ExitCode == 0, stopped.AllOutput);
            Assert.Contains($"stopped softtarget (pid {pid})", stopped.StandardOutput, StringComparison.Ordinal);
            Assert.False(File.Exists(pidFile));
            Assert.False(Processes.IsRunning(pid));
        }
        finally
        {
            await _sandbox.RunAsync(Script, ["stop"], environment);
            foreach (var tap in taps)
            {
                await HostCommands.DeleteLinkIfPresentAsync(tap);
            }
        }
    }
}
