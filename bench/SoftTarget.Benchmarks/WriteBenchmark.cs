using System.Diagnostics;
using System.Globalization;
using Proto.P4.V1;
using SoftTargetKit;
using static SoftTargetKit.K8sDp;

namespace SoftTarget.Benchmarks;

/// <summary>P4Runtime Write: entries per second with batches of 1000 and of 1, and the latency of a single-update Write.</summary>
internal static class WriteBenchmark
{
    public static async Task<List<(string, string)>> RunAsync(SoftTargetProcess target)
    {
        await using var session = await P4Session.PrimaryWithPipelineAsync(target);
        var size = (int)Math.Min(1000, Names.Table("ipv4_to_port_table").Size);
        var entries = Enumerable.Range(0, size).Select(i => PodRoute($"10.{i / 65536}.{i / 256 % 256}.{i % 256}", 2, 0x020000000002)).ToList();

        // Warm up, then rounds of one INSERT batch and one DELETE batch.
        await RoundAsync(session, entries);
        const int rounds = 50;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < rounds; i++)
        {
            await RoundAsync(session, entries);
        }

        var batched = rounds * 2.0 * entries.Count / clock.Elapsed.TotalSeconds;

        var latencies = new List<double>();
        for (var i = 0; i < 4000; i++)
        {
            var entry = entries[i / 2 % entries.Count];
            var started = Stopwatch.GetTimestamp();
            await session.WriteAsync(i % 2 == 0 ? Insert(entry) : Delete(entry));
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        latencies.Sort();
        var single = latencies.Count / (latencies.Sum() / 1000);
        return
        [
            ($"Write, batches of {entries.Count} (INSERT then DELETE)", $"{batched.ToString("N0", CultureInfo.InvariantCulture)} entries/s"),
            ("Write, batches of 1", $"{single.ToString("N0", CultureInfo.InvariantCulture)} entries/s"),
            ("Single-update Write latency, median / p99", $"{Percentile(latencies, 0.5):F3} ms / {Percentile(latencies, 0.99):F3} ms"),
        ];
    }

    private static async Task RoundAsync(P4Session session, List<TableEntry> entries)
    {
        await session.WriteAsync(entries.Select(Insert));
        await session.WriteAsync(entries.Select(Delete));
    }

    public static double Percentile(List<double> sorted, double p) => sorted[(int)Math.Min(sorted.Count - 1, Math.Round(p * (sorted.Count - 1)))];
}
