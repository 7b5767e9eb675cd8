using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using DaemonHost.Tls;
using Microsoft.Extensions.Logging.Abstractions;
using Proto.Infra;
using SoftTargetKit;
using TestSupport;

namespace InfraManager.Benchmarks;

/// <summary>
/// The manager as it runs on a node (mTLS to the agent, mTLS to the target), measured from the
/// agent's side: services programmed per second one request at a time (as one agent worker sends
/// them) and with 16 in flight, the reconcile after a manager restart (the target kept everything)
/// and after a target restart (everything is written again), and the manager's resident memory.
/// </summary>
internal static partial class ProgrammingBenchmark
{
    public static async Task<List<(string Measure, string Value)>> RunAsync(int services, int backendsPerService)
    {
        var report = new List<(string, string)>();
        var entriesPerService = 3 + (3 * backendsPerService);
        using var certificates = new TestCertificates();
        var directory = Directory.CreateTempSubdirectory("k8sio-bench-").FullName;
        await using var target = SoftTargetProcess.Mtls(certificates, "bm_", 0);
        await target.InitializeAsync();
        var apiPort = FreePort.Next();
        var metricsPort = FreePort.Next();
        DaemonProcess? manager = null;
        try
        {
            manager = await StartManagerAsync(certificates, target, directory, apiPort, metricsPort);
            using var material = new ReloadingTlsMaterial(new TlsSettings(TlsMode.Mtls, certificates.AgentClient.Certificate, certificates.AgentClient.Key, certificates.CaFile), TimeProvider.System, NullLogger.Instance);
            using var channel = GrpcChannels.Create($"localhost:{apiPort}", material);
            var agent = new InfraAgent.InfraAgentClient(channel);

            report.Add(("manager resident memory, idle", $"{ProcessMemory.Describe(manager.Id)}, managed heap {await ManagedHeapMegabytesAsync(metricsPort):0.0} MB"));

            // Warm up the connection and the code paths, then remove what the warm-up made.
            await ProgramAsync(agent, 1, 50, backendsPerService, 1, add: true);
            await ProgramAsync(agent, 1, 50, backendsPerService, 1, add: false);

            var sequential = await ProgramAsync(agent, 1, services, backendsPerService, 1, add: true);
            report.Add(($"{services} services x {backendsPerService} backends, one request at a time", Rate(services, entriesPerService, sequential)));
            await ProgramAsync(agent, 1, services, backendsPerService, 16, add: false);
            var parallel = await ProgramAsync(agent, 1, services, backendsPerService, 16, add: true);
            report.Add(($"{services} services x {backendsPerService} backends, 16 requests in flight", Rate(services, entriesPerService, parallel)));
            await ProgramAsync(agent, 1, services, backendsPerService, 64, add: false);
            var wide = await ProgramAsync(agent, 1, services, backendsPerService, 64, add: true);
            report.Add(($"{services} services x {backendsPerService} backends, 64 requests in flight", Rate(services, entriesPerService, wide)));
            var entries = 1 + (services * entriesPerService);
            report.Add(("manager resident memory with them", $"{ProcessMemory.Describe(manager.Id)}, managed heap {await ManagedHeapMegabytesAsync(metricsPort):0.0} MB"));

            // Manager restart: the target kept every entry; the reconciler reads and compares them all.
            await manager.DisposeAsync();
            var restarted = Stopwatch.StartNew();
            manager = await StartManagerAsync(certificates, target, directory, apiPort, metricsPort);
            restarted.Stop();
            report.Add(($"reconcile after a manager restart ({entries} entries read and compared, 0 repairs)", $"{ReconcileMilliseconds(manager.Output, "start")} ms (restart to serving: {restarted.ElapsedMilliseconds} ms)"));

            // Target restart: the manager reloads the pipeline and writes every entry again.
            await target.RestartAsync();
            await WaitForAsync(() => manager.Output.Contains("reconcile (the target reloaded its pipeline)", StringComparison.Ordinal));
            report.Add(($"reconcile after a target restart ({entries} entries written)", $"{ReconcileMilliseconds(manager.Output, "the target reloaded its pipeline")} ms"));
            // The manager logs the reconcile, then gives the burst's memory back (a compacting GC): measure once that is done.
            await Task.Delay(TimeSpan.FromSeconds(2));
            report.Add(("manager resident memory after both (settled)", $"{ProcessMemory.Describe(manager.Id)}, managed heap {await ManagedHeapMegabytesAsync(metricsPort):0.0} MB"));
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

    internal static async Task<DaemonProcess> StartManagerAsync(TestCertificates certificates, SoftTargetProcess target, string directory, int apiPort, int metricsPort)
    {
        // The manager an operator installs: make publish's Native AOT executable.
        var manager = DaemonProcess.StartPublished("inframanager",
        [
            .. ManagerArguments.Mtls(certificates, target, apiPort, Path.Combine(directory, "store")), "--node-ip", "10.10.0.2", "--metrics-addr", $"127.0.0.1:{metricsPort}",
            "--log-file", Path.Combine(directory, "inframanager.log"), "--log-level", "Info",
        ]);
        await manager.WaitForOutputAsync("API listening", TimeSpan.FromSeconds(120));
        return manager;
    }

    private static async Task<TimeSpan> ProgramAsync(InfraAgent.InfraAgentClient agent, int first, int count, int backends, int inFlight, bool add)
    {
        var next = first - 1;
        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, inFlight).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < first + count)
            {
                var translation = Service(i, backends);
                var reply = add ? await agent.NatTranslationAddAsync(translation) : await agent.NatTranslationDeleteAsync(translation);
                if (!reply.Successful)
                {
                    throw new InvalidOperationException($"service {i}: {reply.ErrorMessage}");
                }
            }
        }));
        return stopwatch.Elapsed;
    }

    private static NatTranslation Service(int i, int backends)
    {
        var translation = new NatTranslation
        {
            Endpoint = new NatEndpoint { Ipv4Addr = string.Create(CultureInfo.InvariantCulture, $"10.96.{i / 250}.{(i % 250) + 1}"), Port = 80 },
            Proto = i % 2 == 0 ? "TCP" : "UDP",
        };
        for (var b = 0; b < backends; b++)
        {
            // Each service its own pods: 10.(100+b).x.y.
            translation.Backends.Add(new NatEndpointTuple { DstEp = new NatEndpoint { Ipv4Addr = string.Create(CultureInfo.InvariantCulture, $"10.{100 + b}.{i / 250}.{(i % 250) + 1}"), Port = 8080 } });
        }

        return translation;
    }

    private static string Rate(int services, int entriesPerService, TimeSpan elapsed) => string.Create(
        CultureInfo.InvariantCulture,
        $"{elapsed.TotalMilliseconds:0} ms: {services / elapsed.TotalSeconds:0} services/s, {services * entriesPerService / elapsed.TotalSeconds:0} entries/s");


    /// <summary>dotnet_total_memory_bytes from the manager's /metrics.</summary>
    internal static async Task<double> ManagedHeapMegabytesAsync(int metricsPort)
    {
        using var http = new HttpClient();
        var text = await http.GetStringAsync(new Uri($"http://127.0.0.1:{metricsPort}/metrics"));
        var line = text.Split('\n').First(l => l.StartsWith("dotnet_total_memory_bytes ", StringComparison.Ordinal));
        return double.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture) / (1024 * 1024);
    }

    private static string ReconcileMilliseconds(string output, string reason)
    {
        var match = Reconciled().Matches(output).LastOrDefault(m => m.Groups["reason"].Value == reason);
        return match?.Groups["ms"].Value ?? "?";
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the manager did not reconcile in time");
            }

            await Task.Delay(50);
        }
    }

    [GeneratedRegex(@"reconcile \((?<reason>[^)]*)\): .* in (?<ms>\d+) ms")]
    private static partial Regex Reconciled();
}
