using System.Globalization;
using System.Text.RegularExpressions;
using Grpc.Net.Client;
using PodCtl;
using Proto.Cni;
using SoftTargetKit;
using TestSupport;
using TestSupport.Network;

namespace InfraAgent.Tests.Node;

/// <summary>
/// A whole node on this machine: SoftTarget (mTLS) with TAPs named uniquely for this node, the ARP
/// proxy on the first TAP in its own namespace, inframanager (mTLS), and the infraagent process with
/// its cache in a temporary directory. The test is Calico's CNI plugin (<see cref="Cni"/>); pods are
/// namespaces it creates with <see cref="CreatePodNamespaceAsync"/>, all removed on dispose.
/// </summary>
internal sealed partial class AgentNode : IAsyncDisposable
{
    public const string NodeIp = "10.10.0.2";
    public const string ClusterCidr = "10.244.0.0/16";
    public const string PodCidr = "10.244.0.0/24";

    private static int _instances;

    private readonly TestCertificates _certificates = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("k8sio-agentnode-").FullName;
    private readonly List<NetworkNamespace> _namespaces = [];
    private NetworkNamespace? _proxyNamespace;
    private DaemonProcess? _proxy;
    private DaemonProcess? _manager;
    private DaemonProcess? _agent;
    private GrpcChannel? _cniChannel;
    private NodeRoutesLock? _routes;

    private readonly IReadOnlyList<string> _agentArguments;

    private AgentNode(string prefix, int ports, IReadOnlyList<string> agentArguments)
    {
        _agentArguments = agentArguments;
        Prefix = prefix;
        Target = SoftTargetProcess.Mtls(_certificates, prefix, ports);
    }

    public string Prefix { get; }

    public SoftTargetProcess Target { get; }

    /// <summary>The node's certificates (the target's clients use the manager's).</summary>
    public TestCertificates Certificates => _certificates;

    /// <summary>The TAPs: [0] is the ARP proxy's; the agent takes the host interface and the pods' from the rest, in kernel order.</summary>
    public IReadOnlyList<string> Taps => Target.TapNames;

    public string CacheDir => Path.Combine(_directory, "cache");

    public int ManagerPort { get; private set; }

    public int ManagerMetricsPort { get; private set; }

    public int CniPort { get; private set; }

    public int HealthPort { get; private set; }

    public string AgentOutput => _agent?.Output ?? string.Empty;

    public int AgentProcessId => _agent?.Id ?? 0;

    /// <summary>Waits until the manager's output shows <paramref name="text"/>.</summary>
    public Task WaitForManagerOutputAsync(string text) =>
        (_manager ?? throw new InvalidOperationException("the manager is not running")).WaitForOutputAsync(text);

    /// <summary>Waits until the agent's output shows <paramref name="text"/>.</summary>
    public Task WaitForAgentOutputAsync(string text) =>
        (_agent ?? throw new InvalidOperationException("the agent is not running")).WaitForOutputAsync(text);

    public string Logs => $"--- agent:\n{AgentOutput}\n--- manager:\n{_manager?.Output}\n--- target:\n{Target.Output}";

    public CniDataplane.CniDataplaneClient Cni { get; private set; } = null!; // set in StartAsync

    /// <summary>The whole node; <paramref name="agentArguments"/> are extra infraagent flags (e.g. --kubeconfig).</summary>
    public static async Task<AgentNode> StartAsync(int ports = 6, IReadOnlyList<string>? agentArguments = null)
    {
        // TAP names are at most 15 characters: "an" + pid + instance + "_" + index.
        var prefix = string.Create(CultureInfo.InvariantCulture, $"an{Environment.ProcessId % 10000}{Interlocked.Increment(ref _instances) % 100}_");
        var node = new AgentNode(prefix, ports, agentArguments ?? []);
        try
        {
            node._routes = await NodeRoutesLock.AcquireAsync();
            await node.Target.InitializeAsync();
            await node.WaitForTapsAsync();
            await node.StartProxyAsync();
            await node.StartManagerAsync();
            await node.StartAgentAsync();
            return node;
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    /// <summary>A pod's namespace, removed with the node (or earlier by the test).</summary>
    public async Task<NetworkNamespace> CreatePodNamespaceAsync()
    {
        var pod = await NetworkNamespace.CreateAsync();
        _namespaces.Add(pod);
        return pod;
    }

    public static string NetnsPath(NetworkNamespace pod) => "/var/run/netns/" + pod.Name;

    /// <summary>Calico's Add for a pod of <see cref="PodCidr"/> (host-local IPAM: address/24, gateway .1).</summary>
    public static AddRequest AddRequest(NetworkNamespace pod, string ip, string ifName = "eth0") =>
        CalicoRequests.Add(new CniPod(pod.Name, "default", NetnsPath(pod), ip + "/24", "10.244.0.1", "node-a") { InterfaceName = ifName });

    public static DelRequest DelRequest(NetworkNamespace pod, string ifName = "eth0") => CalicoRequests.Del(NetnsPath(pod), ifName);

    public async Task StartManagerAsync()
    {
        if (ManagerPort == 0)
        {
            ManagerPort = FreePort.Next();
            ManagerMetricsPort = FreePort.Next();
        }

        _manager = DaemonProcess.StartPublished("inframanager",
        [
            .. ManagerArguments.Mtls(_certificates, Target, ManagerPort, Path.Combine(_directory, "store")),
            "--node-ip", NodeIp,
            "--metrics-addr", $"127.0.0.1:{ManagerMetricsPort}",
            "--log-file", Path.Combine(_directory, "inframanager.log"),
            "--log-level", "Debug",
        ]);
        await _manager.WaitForOutputAsync("API listening", TimeSpan.FromSeconds(60));
    }

    /// <summary>SIGKILL: no shutdown code runs.</summary>
    public async Task KillManagerAsync()
    {
        if (_manager is not null)
        {
            await _manager.DisposeAsync();
            _manager = null;
        }
    }

    /// <summary>Starts infraagent (again: same ports, same cache) and waits until its pod interfaces are set up.</summary>
    public async Task StartAgentAsync()
    {
        if (CniPort == 0)
        {
            CniPort = FreePort.Next();
            HealthPort = FreePort.Next();
        }

        // The deploy ConfigMap's file (reference-behaviour.md 6.1); flags override it.
        await File.WriteAllTextAsync(Path.Combine(_directory, "infraagent-config.yaml"), "interfaceType: tap\n");
        _agent = DaemonProcess.StartPublished("infraagent",
        [
            "--config", Path.Combine(_directory, "infraagent-config.yaml"),
            "--tapPrefix", Prefix,
            "--cacheDir", CacheDir,
            "--cniAddr", $"127.0.0.1:{CniPort}",
            "--healthAddr", $"127.0.0.1:{HealthPort}",
            "--managerAddr", "127.0.0.1",
            "--managerPort", ManagerPort.ToString(CultureInfo.InvariantCulture),
            "--clientCert", _certificates.AgentClient.Certificate,
            "--clientKey", _certificates.AgentClient.Key,
            "--caCert", _certificates.CaFile,
            "--clusterCidr", ClusterCidr,
            "--podCidr", PodCidr,
            "--logFile", Path.Combine(_directory, "infraagent.log"),
            "--logLevel", "Debug",
            .. _agentArguments,
        ]);
        await _agent.WaitForOutputAsync("CNI pod interfaces:", TimeSpan.FromSeconds(60));
        _cniChannel?.Dispose();
        _cniChannel = GrpcChannel.ForAddress($"http://127.0.0.1:{CniPort}");
        Cni = new CniDataplane.CniDataplaneClient(_cniChannel);
    }

    /// <summary>SIGKILL, as a crash: nothing is cleaned up.</summary>
    public async Task KillAgentAsync()
    {
        if (_agent is not null)
        {
            await _agent.DisposeAsync();
            _agent = null;
        }
    }

    /// <summary>The manager's ipv4_to_port_table occupancy gauge: the entries its desired state holds.</summary>
    public async Task<int> ManagerIpv4EntriesAsync()
    {
        using var http = new HttpClient();
        var text = await http.GetStringAsync(new Uri($"http://127.0.0.1:{ManagerMetricsPort}/metrics"));
        var match = Ipv4Entries().Match(text);
        return match.Success ? (int)double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }

    public async Task<string> AgentHttpAsync(string path)
    {
        using var http = new HttpClient();
        using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{HealthPort}{path}"));
        return $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
    }

    /// <summary>The TAP the agent gave the pod, from its cache file.</summary>
    public string TapOf(NetworkNamespace pod, string ifName = "eth0") => CachedTap(pod.Name + "-" + ifName);

    /// <summary>The agent's host interface, from its cache file.</summary>
    public string HostInterface => CachedTap("hostInterface-hostInterface");

    /// <summary>The TAPs in the host namespace now.</summary>
    public async Task<List<string>> HostTapsAsync()
    {
        var output = await HostCommands.RunAsync("ip", "-o", "link", "show");
        return [.. Regex.Matches(output, @"^\d+: ([^:@]+)[:@]", RegexOptions.Multiline).Select(m => m.Groups[1].Value).Where(n => n.StartsWith(Prefix, StringComparison.Ordinal))];
    }

    /// <summary>
    /// A Del answers once the manager's entries are gone; the agent brings the pod's TAP home after it.
    /// Waits until it has done so for every deleted pod (no released cache entry left).
    /// </summary>
    public async Task WaitForDeletedTapsHomeAsync()
    {
        var deadline = DateTime.UtcNow + TaskTimeoutExtensions.Default;
        while (Directory.GetFiles(CacheDir, "*.released").Length > 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"TAPs of deleted pods still on their way home: {string.Join(", ", Directory.GetFiles(CacheDir, "*.released").Select(Path.GetFileName))}\n{Logs}");
            }

            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _cniChannel?.Dispose();
        await KillAgentAsync();
        await KillManagerAsync();
        if (_proxy is not null)
        {
            await _proxy.DisposeAsync();
        }

        foreach (var pod in _namespaces)
        {
            await pod.DisposeAsync();
        }

        if (_proxyNamespace is not null)
        {
            await _proxyNamespace.DisposeAsync();
        }

        await Target.DisposeAsync();
        foreach (var tap in Target.TapNames)
        {
            // TAPs the agent made again after their namespace went (persistent ones outlive the target).
            await HostCommands.DeleteLinkIfPresentAsync(tap);
        }

        Directory.Delete(_directory, recursive: true);
        _certificates.Dispose();
        _routes?.Dispose();
    }

    /// <summary>As scripts/arp_proxy.sh: the first TAP in its own namespace as 169.254.1.1/16, and arp-proxy on it.</summary>
    private async Task StartProxyAsync()
    {
        var tap = Taps[0];
        _proxyNamespace = await NetworkNamespace.CreateAsync();
        await _proxyNamespace.AdoptAsync(tap, "169.254.1.1/16");
        await _proxyNamespace.RunAsync("ip", "route", "replace", "default", "dev", tap, "scope", "link");
        _proxy = DaemonProcess.StartProgram(
            "ip",
            ["netns", "exec", _proxyNamespace.Name, ChildProcess.DotnetHost, Path.Combine(AppContext.BaseDirectory, "arp-proxy.dll"), "--log-file", Path.Combine(_directory, "arp-proxy.log"), "--log-level", "Debug"],
            new Dictionary<string, string?> { ["ARP_PROXY_IF"] = tap });
    }

    private string CachedTap(string entry) =>
        Regex.Match(File.ReadAllText(Path.Combine(CacheDir, entry)), @"""interfacename"":""([^""]+)""").Groups[1].Value;

    /// <summary>The target makes its TAPs as it starts: wait until all are there, as the agent discovers them once.</summary>
    private async Task WaitForTapsAsync()
    {
        var deadline = DateTime.UtcNow + TaskTimeoutExtensions.Default;
        while ((await HostTapsAsync()).Count < Taps.Count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the target made {(await HostTapsAsync()).Count} of {Taps.Count} TAPs:\n{Target.Output}");
            }

            await Task.Delay(100);
        }
    }

    [GeneratedRegex(@"inframanager_table_entries\{table=""[^""]*ipv4_to_port_table""\} ([0-9.e+]+)")]
    private static partial Regex Ipv4Entries();
}
