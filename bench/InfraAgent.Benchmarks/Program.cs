using InfraAgent.Benchmarks;

// Run as root (network namespaces, TAPs), on an otherwise idle machine; prints a markdown table.
// "cni" or "services" runs one half only; "cni" measures both tapAttach modes (move, veth) and ends
// with the kernel's floor (namespace moves alone).
var report = new List<(string Measure, string Value)>();
if (args is not ["services"])
{
    foreach (var tapAttach in new[] { "move", "veth" })
    {
        report.AddRange(await CniLatencyBenchmark.RunAsync(sequentialPods: 200, parallelWorkers: 16, podsPerWorker: 12, tapAttach));
    }

    report.AddRange(await NamespaceMoveFloorBenchmark.RunAsync(sequentialMoves: 100, parallelWorkers: 16, movesPerWorker: 6));
}

if (args is not ["cni"])
{
    report.AddRange(await ServiceProgrammingBenchmark.RunAsync(services: 1000, changes: 200));
}

Console.WriteLine();
Console.WriteLine("| Measure | Value |");
Console.WriteLine("|---|---|");
foreach (var (measure, value) in report)
{
    Console.WriteLine($"| {measure} | {value} |");
}
