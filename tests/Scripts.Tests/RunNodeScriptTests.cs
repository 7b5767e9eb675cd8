using System.Globalization;
using TestSupport;
using TestSupport.Network;
using Xunit;

namespace Scripts.Tests;

/// <summary>
/// make run (scripts/run-node.sh) as a newcomer uses it: the node comes up with its demo pods and
/// Services, pods reach each other and the Services' ClusterIPs, an edit of the Services file is
/// reprogrammed, and make stop or Ctrl-C leaves no namespace, TAP or process behind.
/// </summary>
[Collection(HostNetworkTests.Name)]
public sealed class RunNodeScriptTests
{
    private static readonly string[] WebBackends = ["web-1", "web-2", "web-3"];

    [Fact]
    public async Task Run_DemoNode_PodsPingServicesAnswerEditsApplyAndStopLeavesNothing()
    {
        await using var node = new RunNodeScript();
        await node.StartAsync();

        // What the script reports, and what a user then sees.
        Assert.Contains(" 0% packet loss", node.Output, StringComparison.Ordinal);
        Assert.Contains("first successful ping", node.Output, StringComparison.Ordinal);
        var ping = await node.InPodAsync("client", "ping", "-c", "2", "-i", "0.2", "-W", "1", "10.244.0.12");
        Assert.True(ping.ExitCode == 0, ping.AllOutput + node.Output);
        for (var i = 0; i < 6; i++)
        {
            Assert.Contains(await node.CallAsync("10.96.0.100", 80, "TCP"), WebBackends);
            Assert.Contains(await node.CallAsync("10.96.0.101", 53, "UDP"), new[] { "web-1", "web-2" });
        }

        // Only web-3 left behind Service web: the stand-in sees the file change, the agent reprograms.
        var services = Path.Combine(node.StateDirectory, "services.yaml");
        var yaml = await File.ReadAllTextAsync(services);
        foreach (var gone in new[] { "10.244.0.11", "10.244.0.12" })
        {
            var entry = $"- addresses: [{gone}]\n  conditions: {{ready: true}}\n  targetRef: {{kind: Pod, namespace: default, name: web-{gone[^1]}}}\n";
            var at = yaml.IndexOf(entry, yaml.IndexOf("name: web-7x2kq", StringComparison.Ordinal), StringComparison.Ordinal);
            Assert.True(at > 0, "the demo's web EndpointSlice lists " + gone);
            yaml = yaml.Remove(at, entry.Length);
        }

        await File.WriteAllTextAsync(services, yaml);
        Assert.True(await EventuallyAsync(async () => (await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => node.CallAsync("10.96.0.100", 80, "TCP")))).All(a => a == "web-3")), node.Output);
        Assert.Contains(await node.CallAsync("10.96.0.101", 53, "UDP"), new[] { "web-1", "web-2" });

        var processes = await node.ProcessIdsAsync();
        var stopped = await node.StopAsync();

        Assert.True(stopped.ExitCode == 0, stopped.AllOutput);
        foreach (var pod in new[] { "web-1", "web-2", "web-3", "client" })
        {
            // Through the agent's CNI Del, not by removing the namespace under it.
            Assert.Contains($"podctl: pod {pod} deleted", stopped.StandardOutput, StringComparison.Ordinal);
        }

        await node.WaitForExitAsync();
        await AssertNothingLeftAsync(node, processes);
    }

    [Fact]
    public async Task Run_CtrlC_DeletesPodsThroughCniAndLeavesNothing()
    {
        await using var node = new RunNodeScript();
        await node.StartAsync();
        var processes = await node.ProcessIdsAsync();
        Assert.NotEmpty(await node.NamespacesAsync());

        await HostCommands.RunAsync("kill", "-INT", node.ProcessId.ToString(CultureInfo.InvariantCulture));
        await node.WaitForExitAsync();

        Assert.Contains("== stopping", node.Output, StringComparison.Ordinal);
        Assert.Contains("podctl: pod client deleted", node.Output, StringComparison.Ordinal);
        await AssertNothingLeftAsync(node, processes);
    }

    [Fact]
    public async Task Stop_NothingRunning_SaysStopped()
    {
        await using var node = new RunNodeScript();

        var stopped = await node.StopAsync();

        Assert.True(stopped.ExitCode == 0, stopped.AllOutput);
        Assert.Equal("stopped", stopped.StandardOutput.Trim());
        Assert.False(Directory.Exists(node.StateDirectory));
    }

    private static async Task AssertNothingLeftAsync(RunNodeScript node, List<int> processes)
    {
        Assert.Empty(await node.NamespacesAsync());
        Assert.Empty(node.Taps());
        Assert.DoesNotContain(processes, Processes.IsRunning);
        Assert.False(Directory.Exists(node.StateDirectory), "state directory left: " + string.Join(", ", Directory.Exists(node.StateDirectory) ? Directory.GetFileSystemEntries(node.StateDirectory) : []));
    }

    private static async Task<bool> EventuallyAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TaskTimeoutExtensions.Default;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(200);
        }

        return false;
    }
}
