using System.Diagnostics;
using System.Globalization;
using InfraAgent.Tests.Node;
using TestSupport.Network;

namespace InfraAgent.Benchmarks;

/// <summary>
/// CNI Add and Del as Calico's plugin sends them, timed at the caller: each Add moves a TAP into a
/// fresh network namespace (tapAttach: move; with veth, makes a veth in it joined to the TAP by tc),
/// addresses and routes it and programs the pod through the manager into SoftTarget; each Del undoes
/// it. Namespace creation and removal are outside the timings.
/// </summary>
internal static class CniLatencyBenchmark
{
    public static async Task<List<(string Measure, string Value)>> RunAsync(int sequentialPods, int parallelWorkers, int podsPerWorker, string tapAttach)
    {
        var report = new List<(string, string)>();
        await using var node = await AgentNode.StartAsync(ports: parallelWorkers + 4, agentArguments: ["--tapAttach", tapAttach]);

        var adds = new List<double>();
        var dels = new List<double>();
        for (var i = 0; i < sequentialPods; i++)
        {
            var (add, del) = await AddAndDeleteAsync(node, i);
            adds.Add(add);
            dels.Add(del);
        }

        report.Add(($"[{tapAttach}] CNI Add, one at a time ({sequentialPods} pods)", Percentiles(adds)));
        report.Add(($"[{tapAttach}] CNI Del, one at a time ({sequentialPods} pods)", Percentiles(dels)));

        var parallelAdds = new List<double>();
        var parallelDels = new List<double>();
        await Task.WhenAll(Enumerable.Range(0, parallelWorkers).Select(async worker =>
        {
            for (var i = 0; i < podsPerWorker; i++)
            {
                var (add, del) = await AddAndDeleteAsync(node, 1000 + (worker * podsPerWorker) + i);
                lock (parallelAdds)
                {
                    parallelAdds.Add(add);
                    parallelDels.Add(del);
                }
            }
        }));
        report.Add(($"[{tapAttach}] CNI Add, {parallelWorkers} workers each adding and deleting, namespaces made and removed between ({parallelAdds.Count} pods)", Percentiles(parallelAdds)));
        report.Add(($"[{tapAttach}] CNI Del, the same ({parallelDels.Count} pods)", Percentiles(parallelDels)));

        // Bursts: the namespaces exist before the Adds (as the kubelet makes them before calling CNI), the
        // kernel has finished removing the previous round's, then all Adds at once, then all Dels at once.
        var burstAdds = new List<double>();
        var burstDels = new List<double>();
        for (var round = 0; round < podsPerWorker; round++)
        {
            var pods = new List<NetworkNamespace>();
            try
            {
                for (var i = 0; i < parallelWorkers; i++)
                {
                    pods.Add(await NetworkNamespace.CreateAsync());
                }

                await Task.Delay(300);
                var ips = Enumerable.Range(0, parallelWorkers).Select(i => string.Create(CultureInfo.InvariantCulture, $"10.244.{100 + round}.{i + 2}")).ToArray();
                burstAdds.AddRange(await Task.WhenAll(pods.Select((pod, i) => TimedAsync(async () =>
                {
                    var added = await node.Cni.AddAsync(AgentNode.AddRequest(pod, ips[i]));
                    return added.Successful ? null : $"Add {ips[i]}: {added.ErrorMessage}";
                }))));
                burstDels.AddRange(await Task.WhenAll(pods.Select(pod => TimedAsync(async () =>
                {
                    var deleted = await node.Cni.DelAsync(AgentNode.DelRequest(pod));
                    return deleted.Successful ? null : $"Del: {deleted.ErrorMessage}";
                }))));
            }
            finally
            {
                foreach (var pod in pods)
                {
                    await pod.DisposeAsync();
                }
            }
        }

        report.Add(($"[{tapAttach}] CNI Add, {parallelWorkers} at once ({burstAdds.Count} pods)", Percentiles(burstAdds)));
        report.Add(($"[{tapAttach}] CNI Del, {parallelWorkers} at once ({burstDels.Count} pods)", Percentiles(burstDels)));
        report.Add(($"[{tapAttach}] agent resident memory", TestSupport.ProcessMemory.Describe(node.AgentProcessId)));
        report.Add(($"[{tapAttach}] TCP pod to pod through SoftTarget (iperf3, 5 s)", await ThroughputAsync(node)));
        return report;
    }

    /// <summary>iperf3 between two pods the agent added, through SoftTarget: what the pod interface costs a frame.</summary>
    private static async Task<string> ThroughputAsync(AgentNode node)
    {
        await using var server = await NetworkNamespace.CreateAsync();
        await using var client = await NetworkNamespace.CreateAsync();
        foreach (var (pod, ip) in new[] { (server, "10.244.9.2"), (client, "10.244.9.3") })
        {
            var added = await node.Cni.AddAsync(AgentNode.AddRequest(pod, ip));
            if (!added.Successful)
            {
                throw new InvalidOperationException($"Add {ip}: {added.ErrorMessage}");
            }
        }

        await using var iperf = TestSupport.DaemonProcess.StartProgram("ip", ["netns", "exec", server.Name, "iperf3", "-s", "-1"]);
        await Task.Delay(500);
        if (!await client.PingsAsync("10.244.9.2"))
        {
            throw new InvalidOperationException("the pods do not reach each other");
        }

        var run = await client.ExecAsync(TimeSpan.FromSeconds(30), "iperf3", "-c", "10.244.9.2", "-t", "5", "-J");
        using var json = System.Text.Json.JsonDocument.Parse(run.StandardOutput);
        var bits = json.RootElement.GetProperty("end").GetProperty("sum_received").GetProperty("bits_per_second").GetDouble();
        foreach (var pod in new[] { server, client })
        {
            await node.Cni.DelAsync(AgentNode.DelRequest(pod));
        }

        return string.Create(CultureInfo.InvariantCulture, $"{bits / 1e9:0.00} Gbit/s");
    }

    private static async Task<(double Add, double Del)> AddAndDeleteAsync(AgentNode node, int n)
    {
        await using var pod = await NetworkNamespace.CreateAsync();
        var ip = string.Create(CultureInfo.InvariantCulture, $"10.244.{(n / 250) + 1}.{(n % 250) + 2}");
        var watch = Stopwatch.StartNew();
        var added = await node.Cni.AddAsync(AgentNode.AddRequest(pod, ip));
        var add = watch.Elapsed.TotalMilliseconds;
        if (!added.Successful)
        {
            throw new InvalidOperationException($"Add {ip}: {added.ErrorMessage}");
        }

        watch.Restart();
        var deleted = await node.Cni.DelAsync(AgentNode.DelRequest(pod));
        var del = watch.Elapsed.TotalMilliseconds;
        if (!deleted.Successful)
        {
            throw new InvalidOperationException($"Del {ip}: {deleted.ErrorMessage}");
        }

        return (add, del);
    }

    /// <summary>Runs a CNI call and returns its milliseconds; the call returns an error text or null.</summary>
    private static async Task<double> TimedAsync(Func<Task<string?>> call)
    {
        var watch = Stopwatch.StartNew();
        var error = await call();
        var elapsed = watch.Elapsed.TotalMilliseconds;
        return error is null ? elapsed : throw new InvalidOperationException(error);
    }

    internal static string Percentiles(List<double> milliseconds)
    {
        var sorted = milliseconds.Order().ToArray();
        double At(double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
        return string.Create(CultureInfo.InvariantCulture, $"median {At(0.5):0.0} ms, p99 {At(0.99):0.0} ms, max {sorted[^1]:0.0} ms");
    }

}
