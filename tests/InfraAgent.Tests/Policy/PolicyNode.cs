using System.Globalization;
using System.Text.RegularExpressions;
using InfraAgent.Tests.Node;
using PodCtl;
using Proto.Felix;
using TestSupport;
using TestSupport.Network;
using Xunit;

namespace InfraAgent.Tests.Policy;

/// <summary>What a probe sends: one ping, one TCP exchange or one UDP datagram and its answer.</summary>
internal enum FlowKind
{
    Ping,
    Tcp,
    Udp,
}

/// <summary>Traffic from one pod to another (a server's port for TCP and UDP). Every probe of it is a new flow.</summary>
internal sealed record Flow(FlowKind Kind, PolicyPod From, PolicyPod To, int Port = 0)
{
    public static Flow Ping(PolicyPod from, PolicyPod to) => new(FlowKind.Ping, from, to);

    public static Flow Tcp(PolicyPod from, PolicyPod to, int port) => new(FlowKind.Tcp, from, to, port);

    public static Flow Udp(PolicyPod from, PolicyPod to, int port) => new(FlowKind.Udp, from, to, port);

    public override string ToString() => Kind switch
    {
        FlowKind.Ping => $"ping {From} -> {To}",
        FlowKind.Tcp => $"TCP {From} -> {To}:{Port}",
        _ => $"UDP {From} -> {To}:{Port}",
    };
}

/// <summary>
/// A whole node (<see cref="AgentNode"/>: SoftTarget, ARP proxy, manager, agent) with the agent's Felix socket,
/// and Felix in front of it: the real felix-api-proxy started as Felix starts it, fed Felix's framed messages.
/// Pods are made through the CNI API as Calico makes them (their Kubernetes namespace and name in the request),
/// servers run in them, and probes send real traffic between their network namespaces.
/// <para>
/// Policy is stateful (k8s_dp's ACL conntrack): a flow once allowed keeps passing, with its replies, until it idles
/// out. So every probe is a new flow: a new ping process with its own ICMP identifier, a TCP connection or UDP
/// socket from a source port never used before on this node.
/// </para>
/// </summary>
internal sealed partial class PolicyNode : IAsyncDisposable
{
    /// <summary>How long a change may take to show in traffic once the manager answered its message.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    /// <summary>How long a repair may take: a restarted daemon, the manager reprogramming a restarted target.</summary>
    public static readonly TimeSpan RepairWindow = TimeSpan.FromSeconds(60);

    public const string NodeName = "node-a";

    private static readonly TimeSpan s_acknowledged = TimeSpan.FromSeconds(60);

    private readonly string _directory;
    private readonly List<DaemonProcess> _servers = [];
    private readonly Dictionary<PolicyPod, PodNetwork> _pods = [];
    private FelixProxyRun? _felix;
    private int _felixConnections;
    private ulong _sequence;
    private int _nextSourcePort = 20000 + Random.Shared.Next(0, 5000);
    private int _nextIcmpIdentifier = Random.Shared.Next(1, 30000);

    private PolicyNode(AgentNode node, string directory)
    {
        Node = node;
        _directory = directory;
    }

    public AgentNode Node { get; }

    public string FelixSocket => FelixProxyRun.SocketPathIn(_directory);

    /// <summary>The node's daemons' recent output, for failure messages.</summary>
    public string LogTails => string.Join("\n--- ", Node.Logs.Split("\n--- ").Select(section => Tail(section, 60)));

    public static async Task<PolicyNode> StartAsync(int ports = 8)
    {
        var directory = Directory.CreateTempSubdirectory("k8sio-policy-").FullName;
        var socket = FelixProxyRun.SocketPathIn(directory);
        AgentNode? node = null;
        try
        {
            node = await AgentNode.StartAsync(ports, ["--felixSocket", socket]);
            await node.WaitForAgentOutputAsync("Felix socket listening: " + socket);
            return new PolicyNode(node, directory);
        }
        catch
        {
            if (node is not null)
            {
                await node.DisposeAsync();
            }

            Directory.Delete(directory, recursive: true);
            throw;
        }
    }

    /// <summary>Calico's CNI Add of <paramref name="pod"/> into a new network namespace; fails the test if the agent refuses it.</summary>
    public async Task AddPodAsync(PolicyPod pod)
    {
        var netns = await Node.CreatePodNamespaceAsync();
        var request = CalicoRequests.Add(new CniPod(pod.Name, pod.Namespace, AgentNode.NetnsPath(netns), pod.Ip + "/24", "10.244.0.1", NodeName));
        var reply = await Node.Cni.AddAsync(request).ResponseAsync.DefaultTimeout();
        Assert.True(reply.Successful, $"Add {pod}: {reply.ErrorMessage}\n{LogTails}");
        _pods[pod] = new PodNetwork(netns, reply.HostInterfaceName, reply.ContainerMac);
    }

    /// <summary>Calico's CNI Del of <paramref name="pod"/>.</summary>
    public async Task DeletePodAsync(PolicyPod pod)
    {
        var reply = await Node.Cni.DelAsync(AgentNode.DelRequest(_pods[pod].Netns)).ResponseAsync.DefaultTimeout();
        Assert.True(reply.Successful, $"Del {pod}: {reply.ErrorMessage}\n{LogTails}");
        _pods.Remove(pod);
    }

    /// <summary>A socat server in the pod answering "&lt;label&gt; &lt;line&gt;" to each line (TCP) or datagram (UDP).</summary>
    public void Serve(PolicyPod pod, int port, FlowKind protocol = FlowKind.Tcp)
    {
        var (listen, script) = protocol == FlowKind.Tcp
            ? ($"TCP-LISTEN:{port},fork,reuseaddr", $"while read l; do echo {pod.Label} $l; done")
            : ($"UDP-LISTEN:{port},fork,reuseaddr", $"read l; echo {pod.Label} $l");
        _servers.Add(DaemonProcess.StartProgram("ip", ["netns", "exec", _pods[pod].Netns.Name, "socat", listen, $"SYSTEM:{script}"]));
    }

    /// <summary>Felix's WorkloadEndpointUpdate for a pod added here (its interface and MAC from the Add reply).</summary>
    public ToDataplane Endpoint(PolicyPod pod, IEnumerable<string>? ingressPolicies = null, IEnumerable<string>? egressPolicies = null) =>
        FelixModel.Endpoint(pod, _pods[pod].HostInterface, _pods[pod].Mac, ingressPolicies, egressPolicies);

    /// <summary>
    /// Felix (re)starts its dataplane driver: a new felix-api-proxy connects to the agent, and Felix sends its
    /// configuration, the whole state (<paramref name="state"/>: IP sets, profiles, policies, endpoints, in that
    /// order) and InSync. Returns once the agent has passed every message to the manager and logged InSync.
    /// </summary>
    public async Task ConnectFelixAsync(IEnumerable<ToDataplane> state, bool refusalsExpected = false)
    {
        await DisconnectFelixAsync();
        var directory = Directory.CreateDirectory(Path.Combine(_directory, "felix" + (++_felixConnections).ToString(CultureInfo.InvariantCulture))).FullName;
        _felix = await FelixProxyRun.StartAsync(directory, "--socket", FelixSocket);
        await _felix.Process.WaitForOutputAsync("connected to the agent at " + FelixSocket);
        await SendAsync([FelixModel.Config(), FelixModel.HostMetadata(NodeName, AgentNode.NodeIp), .. state, FelixModel.InSync()], refusalsExpected);
    }

    /// <summary>Felix's driver goes away (its pipes close; the proxy exits).</summary>
    public async Task DisconnectFelixAsync()
    {
        if (_felix is not null)
        {
            await _felix.DisposeAsync();
            _felix = null;
        }
    }

    /// <summary>
    /// Felix's messages, numbered and framed as Felix writes them on its pipe; returns once the agent logged the
    /// manager's answer to each. Fails on a refusal unless <paramref name="refusalsExpected"/>.
    /// </summary>
    public async Task<IReadOnlyList<string>> SendAsync(IReadOnlyList<ToDataplane> messages, bool refusalsExpected = false)
    {
        var felix = _felix ?? throw new InvalidOperationException("Felix is not connected");
        var first = _sequence + 1;
        foreach (var message in messages)
        {
            message.SequenceNumber = ++_sequence;
            await felix.FelixWrites.WriteAsync(FelixFrames.Encode(message));
        }

        await felix.FelixWrites.FlushAsync();
        var answers = await WaitForAnswersAsync(first, _sequence);
        if (!refusalsExpected)
        {
            var refused = answers.Where(line => line.Contains("the manager refused", StringComparison.Ordinal)).ToList();
            Assert.True(refused.Count == 0, $"the manager refused Felix's messages:\n{string.Join('\n', refused)}\n{LogTails}");
        }

        return answers;
    }

    public Task<IReadOnlyList<string>> SendAsync(params ToDataplane[] messages) => SendAsync((IReadOnlyList<ToDataplane>)messages);

    /// <summary>SIGKILL the manager, run <paramref name="whileDown"/>, and start it again (same store, same ports).</summary>
    public async Task RestartManagerAsync(Func<Task>? whileDown = null)
    {
        await Node.KillManagerAsync();
        if (whileDown is not null)
        {
            await whileDown();
        }

        await Node.StartManagerAsync();
    }

    /// <summary>SIGKILL SoftTarget and start it again: its tables are empty until the manager repairs them.</summary>
    public Task RestartTargetAsync() => Node.Target.RestartAsync();

    /// <summary>SIGKILL the agent and start it again; Felix's proxy loses its socket and exits, as Felix's driver would.</summary>
    public async Task RestartAgentAsync()
    {
        await Node.KillAgentAsync();
        if (_felix is not null)
        {
            // The agent closed the socket: felix-api-proxy ends by itself.
            await _felix.Process.WaitForExitAsync();
            await DisconnectFelixAsync();
        }

        await Node.StartAgentAsync();
        await Node.WaitForAgentOutputAsync("Felix socket listening: " + FelixSocket);
    }

    /// <summary>New flows of <paramref name="flow"/> get their answers (within <paramref name="window"/>: a change may still be on its way).</summary>
    public Task ExpectAllowedAsync(Flow flow, TimeSpan? window = null) => ExpectAsync(flow, allowed: true, window ?? Window);

    /// <summary>New flows of <paramref name="flow"/> are dropped (within <paramref name="window"/>: a change may still be on its way).</summary>
    public Task ExpectDroppedAsync(Flow flow, TimeSpan? window = null) => ExpectAsync(flow, allowed: false, window ?? Window);

    /// <summary>One new flow: whether it was answered, whether it reached the server at all (a TCP reset counts), and what the client printed.</summary>
    public async Task<(bool Answered, bool Reached, string Output)> ProbeAsync(Flow flow)
    {
        var from = _pods[flow.From].Netns;
        ProcessResult result;
        switch (flow.Kind)
        {
            case FlowKind.Ping:
                // -e: a new ICMP identifier, so a new conntrack tuple (the identifier is both of its "ports").
                var identifier = NextIcmpIdentifier().ToString(CultureInfo.InvariantCulture);
                result = await from.ExecAsync(TimeSpan.FromSeconds(10), "ping", "-n", "-c", "1", "-W", "1", "-e", identifier, flow.To.Ip);
                return (result.ExitCode == 0, result.ExitCode == 0, result.AllOutput);
            case FlowKind.Tcp:
                result = await from.ExecAsync(TimeSpan.FromSeconds(10), "sh", "-c", $"printf 'x\\n' | socat -T 2 - TCP:{flow.To.Ip}:{flow.Port},connect-timeout=2,sourceport={NextSourcePort()}");
                var answered = result.StandardOutput.Contains($"{flow.To.Label} x", StringComparison.Ordinal);
                return (answered, answered || result.AllOutput.Contains("refused", StringComparison.OrdinalIgnoreCase), result.AllOutput);
            default:
                result = await from.ExecAsync(TimeSpan.FromSeconds(10), "sh", "-c", $"printf 'x\\n' | socat -T 1 - UDP:{flow.To.Ip}:{flow.Port},sourceport={NextSourcePort()}");
                answered = result.StandardOutput.Contains($"{flow.To.Label} x", StringComparison.Ordinal);
                return (answered, answered || result.AllOutput.Contains("refused", StringComparison.OrdinalIgnoreCase), result.AllOutput);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await DisconnectFelixAsync();
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }

        await Node.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task ExpectAsync(Flow flow, bool allowed, TimeSpan window)
    {
        var deadline = DateTime.UtcNow + window;
        for (var attempt = 1; ; attempt++)
        {
            var (answered, reached, output) = await ProbeAsync(flow);
            if (allowed ? answered : !reached)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail(allowed
                    ? $"{flow}: should be allowed, but none of {attempt} new flows in {window.TotalSeconds:0} s was answered; the last printed:\n{output}\n{LogTails}"
                    : $"{flow}: should be dropped by policy, but all {attempt} new flows in {window.TotalSeconds:0} s still got through; the last printed:\n{output}\n{LogTails}");
            }

            await Task.Delay(200);
        }
    }

    /// <summary>The agent's log lines answering Felix messages <paramref name="first"/>..<paramref name="last"/>, once the last is answered.</summary>
    private async Task<IReadOnlyList<string>> WaitForAnswersAsync(ulong first, ulong last)
    {
        var deadline = DateTime.UtcNow + s_acknowledged;
        while (true)
        {
            var answers = new Dictionary<ulong, string>();
            foreach (Match match in AnswerLine().Matches(Node.AgentOutput))
            {
                var sequence = ulong.Parse(match.Groups["seq"].Value, CultureInfo.InvariantCulture);
                // Retries are no answer: the manager was unreachable and the message is sent again.
                if (sequence >= first && sequence <= last && !match.Value.Contains("manager unreachable", StringComparison.Ordinal))
                {
                    answers[sequence] = match.Value;
                }
            }

            if (answers.ContainsKey(last))
            {
                return [.. answers.OrderBy(a => a.Key).Select(a => a.Value)];
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the agent did not answer Felix #{last} in {s_acknowledged.TotalSeconds:0} s\n{LogTails}");
            }

            await Task.Delay(50);
        }
    }

    private int NextSourcePort() => Interlocked.Increment(ref _nextSourcePort);

    private int NextIcmpIdentifier() => Interlocked.Increment(ref _nextIcmpIdentifier);

    private static string Tail(string text, int lines)
    {
        var all = text.Split('\n');
        return all.Length <= lines ? text : $"{all[0]}\n  [... {all.Length - lines - 1} lines ...]\n{string.Join('\n', all[^lines..])}";
    }

    [GeneratedRegex(@"Felix #(?<seq>\d+)[ :][^\n]*")]
    private static partial Regex AnswerLine();

    private sealed record PodNetwork(NetworkNamespace Netns, string HostInterface, string Mac);
}
