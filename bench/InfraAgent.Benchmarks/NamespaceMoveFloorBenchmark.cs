using System.Diagnostics;
using Netlink;
using Packets.Tap;
using TestSupport.Network;

namespace InfraAgent.Benchmarks;

/// <summary>
/// The kernel's floor under CNI Add: one TAP moved into a namespace (RTM_SETLINK IFLA_NET_NS_FD) and
/// back, nothing else, one at a time and 16 at once. The kernel holds the RTNL lock through an
/// rcu_barrier() for each move, so moves never overlap: 16 at once take 16 times as long in total.
/// </summary>
internal static class NamespaceMoveFloorBenchmark
{
    public static async Task<List<(string Measure, string Value)>> RunAsync(int sequentialMoves, int parallelWorkers, int movesPerWorker)
    {
        var report = new List<(string, string)>();
        var names = Enumerable.Range(0, parallelWorkers).Select(_ => HostCommands.UniqueName("mvf")).ToList();
        var namespaces = new List<NetworkNamespace>();
        try
        {
            foreach (var name in names)
            {
                using (TapDevice.Open(name, persistent: true))
                {
                }

                namespaces.Add(await NetworkNamespace.CreateAsync());
            }

            var sequential = new List<double>();
            for (var i = 0; i < sequentialMoves; i++)
            {
                sequential.Add(MoveInAndOut(names[0], namespaces[0]));
            }

            report.Add(($"kernel floor: a TAP moved into a namespace, one at a time ({sequentialMoves} moves)", CniLatencyBenchmark.Percentiles(sequential)));

            var parallel = new List<double>();
            using var start = new Barrier(parallelWorkers);
            var threads = names.Select((name, worker) => new Thread(() =>
            {
                for (var i = 0; i < movesPerWorker; i++)
                {
                    start.SignalAndWait();
                    var move = MoveInAndOut(name, namespaces[worker]);
                    lock (parallel)
                    {
                        parallel.Add(move);
                    }
                }
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());
            report.Add(($"kernel floor: {parallelWorkers} TAPs moved at once ({parallel.Count} moves)", CniLatencyBenchmark.Percentiles(parallel)));
        }
        finally
        {
            foreach (var network in namespaces)
            {
                await network.DisposeAsync();
            }

            foreach (var name in names)
            {
                await HostCommands.DeleteLinkIfPresentAsync(name);
            }
        }

        return report;
    }

    /// <summary>Times the move in; the move back is not timed.</summary>
    private static double MoveInAndOut(string tap, NetworkNamespace network)
    {
        using var target = NetworkNamespaceHandle.Open("/var/run/netns/" + network.Name);
        using var host = NetworkNamespaceHandle.OpenProcessNamespace();
        using var client = RouteNetlinkClient.Open();
        var watch = Stopwatch.StartNew();
        client.MoveToNamespace(tap, target);
        var elapsed = watch.Elapsed.TotalMilliseconds;
        using var inside = RouteNetlinkClient.OpenInNamespace(target);
        inside.MoveToNamespace(tap, host);
        return elapsed;
    }
}
