using KubeApiStandin;

if (args is ["-h" or "--help", ..])
{
    Console.WriteLine(StandinCommandLine.Usage);
    return 0;
}

if (StandinCommandLine.Parse(args, out var error) is not { } line)
{
    Console.Error.WriteLine(error);
    Console.Error.WriteLine(StandinCommandLine.Usage);
    return 2;
}

using var stop = new CancellationTokenSource();
using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
using var sigint = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });

await using var server = await KubeApiServer.StartAsync(line.Listen, stop.Token);
using var manifests = new ManifestController(server, line.Files, Console.Out, TimeProvider.System);
if (!manifests.Reload())
{
    return 1;
}

if (line.Kubeconfig is { } kubeconfig)
{
    await File.WriteAllTextAsync(kubeconfig, server.Kubeconfig(), stop.Token);
}

Console.WriteLine($"kube-standin: serving the Kubernetes API on {server.Uri}{(line.Kubeconfig is null ? string.Empty : "; kubeconfig " + line.Kubeconfig)}");
try
{
    await manifests.RunAsync(stop.Token);
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    // SIGTERM or Ctrl-C.
}
finally
{
    if (line.Kubeconfig is not null)
    {
        File.Delete(line.Kubeconfig);
    }
}

Console.WriteLine("kube-standin: stopped");
return 0;
