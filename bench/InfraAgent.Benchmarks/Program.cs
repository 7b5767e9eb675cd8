using InfraAgent.Benchmarks;

// Run as root (network namespaces, TAPs), on an otherwise idle machine; prints a markdown table.
var report = await CniLatencyBenchmark.RunAsync(sequentialPods: 200, parallelWorkers: 16, podsPerWorker: 12);
Console.WriteLine();
Console.WriteLine("| Measure | Value |");
Console.WriteLine("|---|---|");
foreach (var (measure, value) in report)
{
    Console.WriteLine($"| {measure} | {value} |");
}
