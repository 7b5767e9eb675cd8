using SoftTargetKit;
using TestSupport;
using Xunit;

namespace InfraAgent.Tests.Manager;

/// <summary>The wait-for-manager init container: infraagent checkManager against a real manager over mTLS.</summary>
public sealed class CheckManagerCommandTests : IClassFixture<TestCertificates>, IClassFixture<SoftTargetProcess>, IDisposable
{
    private readonly TestCertificates _certificates;
    private readonly SoftTargetProcess _target;
    private readonly string _directory = Directory.CreateTempSubdirectory("k8sio-agent-").FullName;

    public CheckManagerCommandTests(TestCertificates certificates, SoftTargetProcess target)
    {
        _certificates = certificates;
        _target = target;
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string[] AgentTls(string clientCert, string clientKey) =>
        ["--clientCert", clientCert, "--clientKey", clientKey, "--caCert", _certificates.CaFile];

    private static Task<ProcessResult> CheckManagerAsync(int port, IEnumerable<string> arguments) =>
        ChildProcess.RunAsync(PublishedDaemon.PathOf("infraagent"), ["checkManager", "--managerPort", port.ToString(System.Globalization.CultureInfo.InvariantCulture), .. arguments]);

    private DaemonProcess StartManager(int port) => DaemonProcess.StartPublished("inframanager",
    [
        "--addr", $"127.0.0.1:{port}",
        "--server-cert", _certificates.ManagerServer.Certificate,
        "--server-key", _certificates.ManagerServer.Key,
        "--ca-cert", _certificates.CaFile,
        "--log-file", Path.Combine(_directory, "inframanager.log"),
        "--p4runtime-addr", $"127.0.0.1:{_target.P4RuntimePort}", "--p4runtime-conn", "insecure",
        "--gnmi-addr", $"127.0.0.1:{_target.GnmiPort}", "--gnmi-conn", "insecure",
        "--p4info", Path.Combine(RepoPaths.Root, "k8s_dp", "p4Info.txt"),
        "--store-dir", Path.Combine(_directory, "store"),
        "--node-ip", "10.10.0.2",
        "--metrics-addr", string.Empty,
    ]);

    [Fact]
    public async Task CheckManager_ManagerServingOverMtls_Exits0()
    {
        var port = FreePort.Next();
        await using var manager = StartManager(port);

        var result = await CheckManagerAsync(port, [.. AgentTls(_certificates.AgentClient.Certificate, _certificates.AgentClient.Key), "--timeout", "30s"]);

        Assert.True(result.ExitCode == 0, result.AllOutput + manager.Output);
        Assert.Contains("Infra Manager is serving. Exit.", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckManager_NoManager_TimesOutWithExit2()
    {
        var result = await CheckManagerAsync(FreePort.Next(), [.. AgentTls(_certificates.AgentClient.Certificate, _certificates.AgentClient.Key), "--timeout", "1s"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("timeout while waiting for the resource", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckManager_AgentCertificateFromAnotherCa_NeverServed()
    {
        var port = FreePort.Next();
        await using var manager = StartManager(port);
        var foreign = _certificates.FromOtherAuthority("foreign-agent");

        var result = await CheckManagerAsync(port, [.. AgentTls(foreign.Certificate, foreign.Key), "--timeout", "3s"]);

        Assert.Equal(2, result.ExitCode);
    }

    [Theory]
    [InlineData("--timeout", "soon", "--timeout: 'soon' is not a duration")]
    [InlineData("--clientCert", "/nonexistent.crt", "clientCert: file /nonexistent.crt does not exist")]
    [InlineData("--interfaceType", "ipvlan", "interfaceType: 'ipvlan' is not supported")]
    public async Task CheckManager_BadFlag_OneLineNamingItAndExit1(string flag, string value, string expected)
    {
        var result = await CheckManagerAsync(FreePort.Next(), [.. AgentTls(_certificates.AgentClient.Certificate, _certificates.AgentClient.Key), flag, value]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(expected, result.StandardError, StringComparison.Ordinal);
        Assert.Single(result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
