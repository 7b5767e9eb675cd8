using System.Globalization;
using k8s;
using TestSupport;
using Xunit;

namespace KubeApiStandin.Tests;

/// <summary>kube-standin as make run starts it: a real process, its kubeconfig, a file edited under it, signals.</summary>
public sealed class StandinProcessTests : IDisposable
{
    private const string Service = """
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: default}
        spec: {clusterIP: 10.96.0.100, ports: [{port: 80, protocol: TCP}]}
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("k8sio-standin-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Run_FileEditedAndSignals_ChangesServedKubeconfigRemovedOnSigterm()
    {
        var file = Path.Combine(_directory, "services.yaml");
        var kubeconfig = Path.Combine(_directory, "kubeconfig");
        await File.WriteAllTextAsync(file, Service);
        await using var standin = DaemonProcess.Start("kube-standin.dll", ["--listen", "127.0.0.1:0", "--kubeconfig", kubeconfig, "--file", file]);
        await standin.WaitForOutputAsync("serving the Kubernetes API");
        using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
        Assert.Equal("10.96.0.100", Assert.Single((await client.CoreV1.ListNamespacedServiceAsync("default")).Items).Spec.ClusterIP);

        // As an editor saves: a new file renamed over the old one.
        await File.WriteAllTextAsync(file + ".tmp", Service.Replace("10.96.0.100", "10.96.0.101", StringComparison.Ordinal));
        File.Move(file + ".tmp", file, overwrite: true);
        var deadline = DateTime.UtcNow + TaskTimeoutExtensions.Default;
        while ((await client.CoreV1.ListNamespacedServiceAsync("default")).Items.Single().Spec.ClusterIP != "10.96.0.101")
        {
            Assert.True(DateTime.UtcNow < deadline, standin.Output);
            await Task.Delay(100);
        }

        await ChildProcess.RunAsync("kill", ["-HUP", standin.Id.ToString(CultureInfo.InvariantCulture)]);
        await standin.WaitForOutputAsync("reloading (SIGHUP)");
        await ChildProcess.RunAsync("kill", ["-TERM", standin.Id.ToString(CultureInfo.InvariantCulture)]);
        await standin.WaitForOutputAsync("kube-standin: stopped");

        Assert.False(File.Exists(kubeconfig));
    }

    [Fact]
    public async Task Run_BadFileAtStart_Exits1SayingWhy()
    {
        var file = Path.Combine(_directory, "services.yaml");
        await File.WriteAllTextAsync(file, Service + "\n  sepc: {}\n");

        var result = await ChildProcess.RunAsync(ChildProcess.DotnetHost, [Path.Combine(AppContext.BaseDirectory, "kube-standin.dll"), "--listen", "127.0.0.1:0", "--file", file], TaskTimeoutExtensions.Default);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(file + ": line", result.AllOutput, StringComparison.Ordinal);
    }
}
