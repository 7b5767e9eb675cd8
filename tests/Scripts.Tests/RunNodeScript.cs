using System.Globalization;
using TestSupport;
using TestSupport.Network;

namespace Scripts.Tests;

/// <summary>
/// scripts/run-node.sh (make run) as a user starts it, with names and ports of its own: its TAPs, the ARP
/// proxy's and the pods' namespaces, every daemon's port, state and log directories, and the daemons run
/// from the dlls next to the tests. Holds the machine's node-routes lock while it runs. Disposing stops
/// it and removes whatever a failed run left.
/// </summary>
internal sealed class RunNodeScript : IAsyncDisposable
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    private readonly ScriptSandbox _sandbox = new();
    private readonly TestCertificates _certificates = new();
    private readonly Dictionary<string, string?> _environment;
    private NodeRoutesLock? _routes;
    private DaemonProcess? _script;

    public RunNodeScript()
    {
        var id = HostCommands.UniqueName(string.Empty);
        TapPrefix = "rn" + id + "_";
        PodPrefix = "rn" + id + "-";
        ProxyNamespace = "rnp-" + id;
        _environment = new Dictionary<string, string?>
        {
            ["SDE_INSTALL"] = null,
            ["IPDK_RECIPE"] = null,
            ["DEPEND_INSTALL"] = null,
            ["K8S_STATE_DIR"] = _sandbox.StateDirectory,
            ["LOG_DIR"] = Path.Combine(_sandbox.Directory, "log"),
            ["CERTS_DIR"] = _certificates.Root,
            ["TAP_PREFIX"] = TapPrefix,
            ["POD_PREFIX"] = PodPrefix,
            ["ARP_PROXY_NETNS"] = ProxyNamespace,
            ["NODE_NAME"] = "node-" + id,
            ["P4RUNTIME_PORT"] = Port(),
            ["GNMI_PORT"] = Port(),
            ["MANAGER_PORT"] = Port(),
            ["MANAGER_METRICS_PORT"] = Port(),
            ["CNI_PORT"] = Port(),
            ["AGENT_HEALTH_PORT"] = Port(),
            ["KUBE_API_PORT"] = Port(),
            ["SOFTTARGET_BIN"] = _sandbox.DaemonWrapper("softtarget.dll"),
            ["ARP_PROXY_BIN"] = _sandbox.DaemonWrapper("arp-proxy.dll"),
            ["INFRAMANAGER_BIN"] = _sandbox.DaemonWrapper("inframanager.dll"),
            ["INFRAAGENT_BIN"] = _sandbox.DaemonWrapper("infraagent.dll"),
            ["KUBE_STANDIN_BIN"] = _sandbox.DaemonWrapper("kube-standin.dll"),
            ["PODCTL_BIN"] = _sandbox.DaemonWrapper("podctl.dll"),
        };
    }

    public string TapPrefix { get; }

    public string PodPrefix { get; }

    public string ProxyNamespace { get; }

    public string StateDirectory => _sandbox.StateDirectory;

    /// <summary>What run-node.sh printed so far (stdout and stderr).</summary>
    public string Output => _script?.Output ?? string.Empty;

    public bool HasExited => _script?.HasExited ?? true;

    public int ProcessId => _script?.Id ?? 0;

    /// <summary>Starts run-node.sh and waits until it says the node is up (with its demo pods and Services).</summary>
    public async Task StartAsync()
    {
        _routes = await NodeRoutesLock.AcquireAsync();
        _script = DaemonProcess.StartProgram(ScriptSandbox.ScriptPath("run-node.sh"), [], _environment);
        await _script.WaitForOutputAsync("The node is up", StartTimeout);
    }

    /// <summary>run-node.sh stop (make stop) from another shell.</summary>
    public Task<ProcessResult> StopAsync() => _sandbox.RunAsync("run-node.sh", ["stop"], _environment);

    /// <summary>Waits (bounded) until the foreground run-node.sh has exited.</summary>
    public async Task WaitForExitAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (!HasExited)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"run-node.sh did not exit:\n{Output}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Runs a command in one of the demo's pods (client, web-1, ...), bounded in time.</summary>
    public Task<ProcessResult> InPodAsync(string pod, params string[] command) =>
        ChildProcess.RunAsync("ip", ["netns", "exec", PodPrefix + pod, .. command], TimeSpan.FromSeconds(20));

    /// <summary>The first line a Service's ClusterIP answers the client pod with (the backend's name), empty if none.</summary>
    /// <remarks>
    /// The answer is taken as soon as its line arrives, waiting up to 5 s for it: a UDP call never ends by
    /// itself (socat waits out its timeout), and on a loaded machine the backend's forked shell can take
    /// longer than socat's default half second to answer. A UDP query is sent again up to twice when no
    /// answer came, as a resolver does (a datagram may be lost; a TCP connection retransmits by itself).
    /// </remarks>
    public async Task<string> CallAsync(string vip, int port, string protocol)
    {
        var attempts = protocol == "UDP" ? 3 : 1;
        var answer = string.Empty;
        for (var attempt = 0; attempt < attempts && answer.Length == 0; attempt++)
        {
            answer = await CallOnceAsync(vip, port, protocol);
        }

        return answer;
    }

    private async Task<string> CallOnceAsync(string vip, int port, string protocol)
    {
        var call = string.Create(CultureInfo.InvariantCulture, $"echo | socat -t 5 -T 5 - {protocol}:{vip}:{port} 2>/dev/null");
        await using var client = DaemonProcess.StartProgram("ip", ["netns", "exec", PodPrefix + "client", "sh", "-c", call]);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(6);
        while (!client.Output.Contains('\n', StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            if (client.HasExited)
            {
                await client.WaitForExitAsync(); // its output read to the end
                break;
            }

            await Task.Delay(20);
        }

        return client.Output.Split('\n')[0].Trim();
    }

    /// <summary>The pids of everything the run started: daemons from their pid files, servers from the pods' namespaces.</summary>
    public async Task<List<int>> ProcessIdsAsync()
    {
        var pids = new List<int>();
        foreach (var file in Directory.Exists(StateDirectory) ? Directory.GetFiles(StateDirectory, "*.pid") : [])
        {
            pids.Add(int.Parse(await File.ReadAllTextAsync(file), CultureInfo.InvariantCulture));
        }

        foreach (var netns in await NamespacesAsync())
        {
            var result = await ChildProcess.RunAsync("ip", ["netns", "pids", netns], HostCommands.Timeout);
            pids.AddRange(result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(p => int.Parse(p, CultureInfo.InvariantCulture)));
        }

        return pids;
    }

    /// <summary>The run's network namespaces that exist now: the pods' and the ARP proxy's.</summary>
    public async Task<List<string>> NamespacesAsync()
    {
        var list = await HostCommands.RunAsync("ip", "netns", "list");
        return [.. list.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[0]).Where(n => n.StartsWith(PodPrefix, StringComparison.Ordinal) || n == ProxyNamespace)];
    }

    /// <summary>The run's TAPs in this namespace now.</summary>
    public List<string> Taps() =>
        [.. Directory.GetDirectories("/sys/class/net").Select(Path.GetFileName).OfType<string>().Where(n => n.StartsWith(TapPrefix, StringComparison.Ordinal))];

    public async ValueTask DisposeAsync()
    {
        if (_script is not null)
        {
            // Idempotent: after a clean stop it finds nothing to do.
            await StopAsync();
            await _script.DisposeAsync();
        }

        // Whatever a failed run left: namespaces (with anything in them), TAPs, the state directory.
        foreach (var netns in await NamespacesAsync())
        {
            var pids = await ChildProcess.RunAsync("ip", ["netns", "pids", netns], HostCommands.Timeout);
            foreach (var pid in pids.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                await ChildProcess.RunAsync("kill", ["-KILL", pid], HostCommands.Timeout);
            }

            await ChildProcess.RunAsync("ip", ["netns", "del", netns], HostCommands.Timeout);
        }

        foreach (var tap in Taps())
        {
            await HostCommands.DeleteLinkIfPresentAsync(tap);
        }

        _sandbox.Dispose();
        _certificates.Dispose();
        _routes?.Dispose();
    }

    private static string Port() => FreePort.Next().ToString(CultureInfo.InvariantCulture);
}
