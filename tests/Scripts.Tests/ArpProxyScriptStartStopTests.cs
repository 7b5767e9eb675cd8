using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using TestSupport;
using TestSupport.Network;
using Xunit;

namespace Scripts.Tests;

/// <summary>
/// arp_proxy.sh start, start again, status and stop with the real arp-proxy, on a veth standing in for
/// P4TAP_0 whose peer sits in a pod-like namespace; every name is unique to the run.
/// </summary>
[Collection(HostNetworkTests.Name)]
public sealed class ArpProxyScriptStartStopTests : IDisposable
{
    private const string Script = "arp_proxy.sh";

    private readonly ScriptSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task StartStartStatusStop_Veth_ProxyAnswersInItsNamespaceThenAllIsUndone()
    {
        var link = HostCommands.UniqueName("apt");
        var peer = HostCommands.UniqueName("apu");
        var netns = HostCommands.UniqueName("k8sio-pod-");
        var log = Path.Combine(_sandbox.Directory, "arp-proxy.log");
        var environment = new Dictionary<string, string?>
        {
            ["ARP_PROXY_IF"] = link,
            ["ARP_PROXY_NETNS"] = netns,
            ["ARP_PROXY_BIN"] = _sandbox.DaemonWrapper("arp-proxy.dll"),
            ["ARP_PROXY_LOG"] = log,
        };
        await using var pod = await NetworkNamespace.CreateAsync();
        try
        {
            await HostCommands.RunAsync("ip", "link", "add", link, "type", "veth", "peer", "name", peer, "netns", pod.Name);
            await pod.RunAsync("ip", "addr", "add", "169.254.2.2/16", "dev", peer);
            await pod.RunAsync("ip", "link", "set", "dev", peer, "up");
            await pod.RunAsync("ip", "route", "add", "default", "dev", peer, "scope", "link");

            var started = await _sandbox.RunAsync(Script, ["start"], environment);

            Assert.True(started.ExitCode == 0, started.AllOutput);
            var pid = int.Parse(await File.ReadAllTextAsync(Path.Combine(_sandbox.StateDirectory, "arp-proxy.pid")), CultureInfo.InvariantCulture);
            Assert.Contains($"arp_proxy: arp-proxy pid {pid} answers ARP on {link} (169.254.1.1/16) in netns {netns}", started.StandardOutput, StringComparison.Ordinal);
            Assert.False(await HostCommands.LinkExistsAsync(link));
            Assert.Contains(" inet 169.254.1.1/16 ", await HostCommands.RunAsync("ip", "-n", netns, "-4", "-o", "addr", "show", "dev", link), StringComparison.Ordinal);
            Assert.Contains($"default dev {link} scope link", await HostCommands.RunAsync("ip", "-n", netns, "route", "show", "default"), StringComparison.Ordinal);
            await WaitForFileTextAsync(log, $"answering ARP requests on {link}");

            // The namespace's kernel answers for 169.254.1.1 itself; another address only the proxy answers.
            var proxyMac = (await HostCommands.RunAsync("ip", "netns", "exec", netns, "cat", $"/sys/class/net/{link}/address")).Trim();
            var arping = await pod.ExecAsync(TimeSpan.FromSeconds(15), "arping", "-c", "1", "-w", "3", "-I", peer, "10.244.0.9");
            Assert.Matches($@"reply from 10\.244\.0\.9 \[{Regex.Escape(proxyMac)}\]", arping.StandardOutput.ToLowerInvariant());

            var again = await _sandbox.RunAsync(Script, ["start"], environment);
            Assert.True(again.ExitCode == 0, again.AllOutput);
            Assert.Contains($"already running: arp-proxy pid {pid}", again.StandardOutput, StringComparison.Ordinal);

            var status = await _sandbox.RunAsync(Script, ["status"], environment);
            Assert.Equal(0, status.ExitCode);

            var stopped = await _sandbox.RunAsync(Script, ["stop"], environment);

            Assert.True(stopped.ExitCode == 0, stopped.AllOutput);
            Assert.False(Processes.IsRunning(pid));
            Assert.Contains(",UP", await HostCommands.RunAsync("ip", "-o", "link", "show", "dev", link), StringComparison.Ordinal);
            Assert.False(File.Exists($"/run/netns/{netns}"));
            Assert.Equal(3, (await _sandbox.RunAsync(Script, ["status"], environment)).ExitCode);
        }
        finally
        {
            await _sandbox.RunAsync(Script, ["stop"], environment);
            await HostCommands.DeleteLinkIfPresentAsync(link);
        }
    }

    private static async Task WaitForFileTextAsync(string path, string text)
    {
        var clock = Stopwatch.StartNew();
        while (!(File.Exists(path) && (await File.ReadAllTextAsync(path)).Contains(text, StringComparison.Ordinal)))
        {
            if (clock.Elapsed > TaskTimeoutExtensions.Default)
            {
                throw new TimeoutException($"'{text}' not in {path}");
            }

            await Task.Delay(100);
        }
    }
}
