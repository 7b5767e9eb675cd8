using SoftTarget.Benchmarks;

// Run as root (namespaces and TAPs), on an otherwise idle machine; prints a markdown table.
var report = new List<(string Measure, string Value)>();
await using (var target = new SoftTargetKit.SoftTargetProcess())
{
    await target.InitializeAsync();
    report.AddRange(await WriteBenchmark.RunAsync(target));
    report.AddRange(await MemoryBenchmark.RunAsync(target));
    report.AddRange(await ForwardingBenchmark.RunAsync(target));
}

report.AddRange(await ForwardingBenchmark.KernelReferenceAsync());
Console.WriteLine();
Console.WriteLine("| Measure | Value |");
Console.WriteLine("|---|---|");
foreach (var (measure, value) in report)
{
    Console.WriteLine($"| {measure} | {value} |");
}
