using InfraManager.Benchmarks;

// Run as root (SoftTarget makes TAPs), on an otherwise idle machine; prints a markdown table.
var report = await ProgrammingBenchmark.RunAsync(services: args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 1000, backendsPerService: 8);
report.AddRange(await PolicyBenchmark.RunAsync(namespaces: 20, podsPerNamespace: 10));
Console.WriteLine();
Console.WriteLine("| Measure | Value |");
Console.WriteLine("|---|---|");
foreach (var (measure, value) in report)
{
    Console.WriteLine($"| {measure} | {value} |");
}
