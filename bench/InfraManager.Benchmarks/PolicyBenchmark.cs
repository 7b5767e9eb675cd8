using System.Diagnostics;
using System.Globalization;
using DaemonHost.Tls;
using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;
using Proto.Felix;
using Proto.Infra;
using SoftTargetKit;
using TestSupport;

namespace InfraManager.Benchmarks;

/// <summary>
/// Network policy through the manager as the agent relays Felix's messages (one at a time, in order):
/// a node of <c>namespaces</c> x <c>podsPerNamespace</c> pods, each namespace with a default deny, an
/// allow from the previous namespace's pods (an IP set) and a TCP port range, synced from scratch; then
/// the time each kind of later update takes to be on the target (the reply comes once it is).
/// </summary>
internal static class PolicyBenchmark
{
    public static async Task<List<(string Measure, string Value)>> RunAsync(int namespaces, int podsPerNamespace)
    {
        var report = new List<(string, string)>();
        using var certificates = new TestCertificates();
        var directory = Directory.CreateTempSubdirectory("k8sio-bench-policy-").FullName;
        await using var target = SoftTargetProcess.Mtls(certificates, "bp_", 0);
        await target.InitializeAsync();
        var apiPort = FreePort.Next();
        var metricsPort = FreePort.Next();
        DaemonProcess? manager = null;
        try
        {
            manager = await ProgrammingBenchmark.StartManagerAsync(certificates, target, directory, apiPort, metricsPort);
            using var material = new ReloadingTlsMaterial(new TlsSettings(TlsMode.Mtls, certificates.AgentClient.Certificate, certificates.AgentClient.Key, certificates.CaFile), TimeProvider.System, NullLogger.Instance);
            using var channel = GrpcChannels.Create($"localhost:{apiPort}", material);
            var agent = new InfraAgent.InfraAgentClient(channel);

            var sync = new List<Func<Task<Reply>>>();
            for (var n = 0; n < namespaces; n++)
            {
                var set = IpSet(n, podsPerNamespace);
                sync.Add(() => agent.UpdateIPSetAsync(set).ResponseAsync);
                var profile = Profile(n);
                sync.Add(() => agent.UpdateActiveProfileAsync(profile).ResponseAsync);
                foreach (var policy in Policies(n, namespaces, 8100))
                {
                    sync.Add(() => agent.ActivePolicyUpdateAsync(policy).ResponseAsync);
                }
            }

            for (var n = 0; n < namespaces; n++)
            {
                for (var p = 0; p < podsPerNamespace; p++)
                {
                    var endpoint = Endpoint(n, p);
                    sync.Add(() => agent.UpdateLocalEndpointAsync(endpoint).ResponseAsync);
                }
            }

            var synced = Stopwatch.StartNew();
            foreach (var send in sync)
            {
                Check(await send());
            }

            synced.Stop();
            report.Add(($"Felix sync from scratch: {namespaces * podsPerNamespace} pods, {namespaces} namespaces x 3 policies ({sync.Count} messages, one at a time)", string.Create(CultureInfo.InvariantCulture, $"{synced.ElapsedMilliseconds} ms ({sync.Count / synced.Elapsed.TotalSeconds:0} messages/s)")));

            // A pod joins and leaves a namespace's set: every pod of the next namespace lets it in, then not.
            report.Add(("IPSetDeltaUpdate (a member added or removed) to on the target", await LatencyAsync(200, i =>
            {
                var delta = new IPSetDeltaUpdate { Id = SetId(i % namespaces) };
                (i % 2 == 0 ? delta.AddedMembers : delta.RemovedMembers).Add(string.Create(CultureInfo.InvariantCulture, $"10.250.{i / 2 % 250}.1/32"));
                return agent.UpdateIPSetDeltaAsync(delta).ResponseAsync;
            })));
            report.Add(("ActivePolicyUpdate (a port range changed) to on the target", await LatencyAsync(100, i =>
                agent.ActivePolicyUpdateAsync(Policies(i % namespaces, namespaces, 8100 + (i % 7) + 1)[2]).ResponseAsync)));
            report.Add(("UpdateLocalEndpoint (a new pod) to on the target", await LatencyAsync(100, i =>
                agent.UpdateLocalEndpointAsync(Endpoint(i % namespaces, podsPerNamespace + (i / namespaces))).ResponseAsync)));
            report.Add(("manager resident memory with the policies", $"{ProcessMemory.Describe(manager.Id)}, managed heap {await ProgrammingBenchmark.ManagedHeapMegabytesAsync(metricsPort):0.0} MB"));
        }
        finally
        {
            if (manager is not null)
            {
                await manager.DisposeAsync();
            }

            Directory.Delete(directory, recursive: true);
        }

        return report;
    }

    private static async Task<string> LatencyAsync(int count, Func<int, Task<Reply>> send)
    {
        var samples = new List<double>(count);
        for (var i = 0; i < count; i++)
        {
            var stopwatch = Stopwatch.StartNew();
            Check(await send(i));
            samples.Add(stopwatch.Elapsed.TotalMilliseconds);
        }

        samples.Sort();
        return string.Create(CultureInfo.InvariantCulture, $"median {samples[count / 2]:0.0} ms, p99 {samples[(int)Math.Ceiling(count * 0.99) - 1]:0.0} ms ({count} updates)");
    }

    private static void Check(Reply reply)
    {
        if (!reply.Successful)
        {
            throw new InvalidOperationException(reply.ErrorMessage);
        }
    }

    private static string SetId(int n) => string.Create(CultureInfo.InvariantCulture, $"s:ns{n}");

    private static string Address(int n, int p) => string.Create(CultureInfo.InvariantCulture, $"10.{200 + (n / 250)}.{n % 250}.{p + 1}");

    private static IPSetUpdate IpSet(int n, int pods)
    {
        var set = new IPSetUpdate { Id = SetId(n), Type = IPSetUpdate.Types.IPSetType.Ip };
        set.Members.AddRange(Enumerable.Range(0, pods).Select(p => Address(n, p) + "/32"));
        return set;
    }

    private static ActiveProfileUpdate Profile(int n) => new()
    {
        Id = new ProfileID { Name = $"kns.ns{n}" },
        Profile = new Profile { InboundRules = { new Rule { Action = "allow" } }, OutboundRules = { new Rule { Action = "allow" } } },
    };

    private static ActivePolicyUpdate[] Policies(int n, int namespaces, int lastPort)
    {
        ActivePolicyUpdate Policy(string name, params Rule[] inbound) => new()
        {
            Id = new PolicyID { Tier = "default", Name = $"ns{n}/knp.default.{name}" },
            Policy = new Proto.Felix.Policy { Namespace = $"ns{n}", InboundRules = { inbound } },
        };

        var fromPrevious = new Rule { Action = "allow", SrcIpSetIds = { SetId((n + namespaces - 1) % namespaces) } };
        var ports = new Rule { Action = "allow", Protocol = new Protocol { Name = "tcp" }, DstPorts = { new PortRange { First = 8000, Last = lastPort } } };
        return [Policy("default-deny"), Policy("allow-previous", fromPrevious), Policy("web", ports)];
    }

    private static WorkloadEndpointUpdate Endpoint(int n, int p) => new()
    {
        Id = new WorkloadEndpointID { OrchestratorId = "k8s", WorkloadId = $"ns{n}/pod{p}", EndpointId = "eth0" },
        Endpoint = new WorkloadEndpoint
        {
            State = "active",
            Name = $"P4TAP_{p}",
            ProfileIds = { $"kns.ns{n}" },
            Ipv4Nets = { Address(n, p) + "/32" },
            Tiers = { new TierInfo { Name = "default", IngressPolicies = { $"ns{n}/knp.default.default-deny", $"ns{n}/knp.default.allow-previous", $"ns{n}/knp.default.web" } } },
        },
    };
}
