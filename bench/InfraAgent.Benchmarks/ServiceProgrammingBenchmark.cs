using System.Diagnostics;
using System.Globalization;
using InfraAgent.Tests.Node;
using k8s.Models;
using KubeApiStandin;

namespace InfraAgent.Benchmarks;

/// <summary>
/// A Service change programmed end to end: the infraagent process watches a Kubernetes API (the
/// stand-in) holding 1,000 services, each change to an EndpointSlice goes to the real manager and
/// into SoftTarget. Timed two ways: from the API write until the agent's
/// network_programming_duration_seconds count moves (polled), and that histogram itself (the agent
/// seeing the watch event until the manager acknowledged), as kube-proxy reports it.
/// </summary>
internal static class ServiceProgrammingBenchmark
{
    public static async Task<List<(string Measure, string Value)>> RunAsync(int services, int changes)
    {
        var report = new List<(string, string)>();
        await using var api = await KubeApiServer.StartAsync();
        var directory = Directory.CreateTempSubdirectory("k8sio-svcbench-").FullName;
        try
        {
            var kubeconfig = Path.Combine(directory, "kubeconfig");
            await File.WriteAllTextAsync(kubeconfig, api.Kubeconfig());
            await using var node = await AgentNode.StartAsync(ports: 4, agentArguments: ["--kubeconfig", kubeconfig, "--nodeName", "node-a", "--nodeIp", AgentNode.NodeIp]);

            var initial = Stopwatch.StartNew();
            for (var i = 0; i < services; i++)
            {
                api.Apply(Service(i));
                api.Apply(Slice(i, 2));
            }

            await WaitForCountAsync(node, services);
            report.Add(($"{services} services x 2 backends from the API to the manager (initial sync)", $"{initial.ElapsedMilliseconds} ms"));

            var before = await HistogramAsync(node);
            var observed = new List<double>();
            for (var c = 0; c < changes; c++)
            {
                var count = (await HistogramAsync(node)).Count;
                var watch = Stopwatch.StartNew();
                api.Apply(Slice(c % services, 3 + (c / services)));
                await WaitForCountAsync(node, count + 1);
                observed.Add(watch.Elapsed.TotalMilliseconds);
            }

            var after = await HistogramAsync(node);
            report.Add(($"a Service change, API write to manager acknowledgement ({changes} changes, {services} services)", CniLatencyBenchmark.Percentiles(observed) + " (polled every 2 ms)"));
            report.Add(("the same, agent histogram (watch event to acknowledgement)", after.Minus(before).Describe()));
            report.Add(("agent resident memory with them", TestSupport.ProcessMemory.Describe(node.AgentProcessId)));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }

        return report;
    }

    private static V1Service Service(int i) => new()
    {
        Kind = "Service",
        ApiVersion = "v1",
        Metadata = new V1ObjectMeta { Name = Name(i), NamespaceProperty = "default" },
        Spec = new V1ServiceSpec { ClusterIP = Vip(i), ClusterIPs = [Vip(i)], Type = "ClusterIP", Ports = [new V1ServicePort { Port = 80, Protocol = "TCP", TargetPort = 8080 }] },
    };

    private static V1EndpointSlice Slice(int i, int backends) => new()
    {
        Kind = "EndpointSlice",
        ApiVersion = "discovery.k8s.io/v1",
        Metadata = new V1ObjectMeta { Name = Name(i) + "-abcde", NamespaceProperty = "default", Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = Name(i) } },
        AddressType = "IPv4",
        Ports = [new Discoveryv1EndpointPort { Port = 8080, Protocol = "TCP" }],
        Endpoints = [.. Enumerable.Range(0, backends).Select(b => new V1Endpoint { Addresses = [string.Create(CultureInfo.InvariantCulture, $"10.{100 + b}.{i / 250}.{(i % 250) + 1}")], Conditions = new V1EndpointConditions { Ready = true } })],
    };

    private static string Name(int i) => string.Create(CultureInfo.InvariantCulture, $"svc-{i}");

    private static string Vip(int i) => string.Create(CultureInfo.InvariantCulture, $"10.96.{i / 250}.{(i % 250) + 1}");

    private static async Task WaitForCountAsync(AgentNode node, long count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while ((await HistogramAsync(node)).Count < count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"network_programming_duration_seconds did not reach {count}");
            }

            await Task.Delay(2);
        }
    }

    private static async Task<Histogram> HistogramAsync(AgentNode node)
    {
        var text = await node.AgentHttpAsync("/metrics");
        var buckets = new List<(double, long)>();
        long count = 0;
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith("network_programming_duration_seconds_bucket{le=\"", StringComparison.Ordinal))
            {
                var bound = line[(line.IndexOf('"', StringComparison.Ordinal) + 1)..line.LastIndexOf('"')];
                var value = long.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
                buckets.Add((bound == "+Inf" ? double.PositiveInfinity : double.Parse(bound, CultureInfo.InvariantCulture), value));
            }
            else if (line.StartsWith("network_programming_duration_seconds_count ", StringComparison.Ordinal))
            {
                count = long.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
            }
        }

        return new Histogram(buckets, count);
    }


    /// <summary>Cumulative Prometheus buckets (upper bound in seconds, count).</summary>
    private sealed record Histogram(List<(double Bound, long Count)> Buckets, long Count)
    {
        public Histogram Minus(Histogram earlier) =>
            new([.. Buckets.Select((b, i) => (b.Bound, b.Count - earlier.Buckets[i].Count))], Count - earlier.Count);

        public string Describe()
        {
            string Upper(double q) => Buckets.First(b => b.Count >= Math.Ceiling(q * Count)).Bound is var bound && double.IsPositiveInfinity(bound)
                ? "more than the last bucket"
                : string.Create(CultureInfo.InvariantCulture, $"at most {bound * 1000:0} ms");
            return $"median {Upper(0.5)}, p99 {Upper(0.99)} ({Count} changes; bucket bounds)";
        }
    }
}
