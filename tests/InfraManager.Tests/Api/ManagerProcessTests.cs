using DaemonHost.Tls;
using Grpc.Core;
using Grpc.Health.V1;
using Microsoft.Extensions.Logging.Abstractions;
using SoftTargetKit;
using TestSupport;
using Xunit;

namespace InfraManager.Tests.Api;

/// <summary>The inframanager binary as an operator starts it.</summary>
[Collection(InfraManager.Tests.P4.HostNetworkTests.Name)]
public sealed class ManagerProcessTests : IClassFixture<TestCertificates>, IClassFixture<SoftTargetProcess>, IDisposable
{
    private readonly TestCertificates _certificates;
    private readonly string _directory = Directory.CreateTempSubdirectory("k8sio-manager-").FullName;

    private readonly SoftTargetProcess _target;

    public ManagerProcessTests(TestCertificates certificates, SoftTargetProcess target)
    {
        _certificates = certificates;
        _target = target;
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string LogFile => Path.Combine(_directory, "inframanager.log");

    private static async Task<ProcessResult> RunToExitAsync(params string[] arguments) =>
        await ChildProcess.RunAsync(PublishedDaemon.PathOf("inframanager"), arguments);

    private static async Task<ProcessResult> RunToExitAsync(string[] arguments, (string Name, string Value) environment) =>
        await ChildProcess.RunAsync(PublishedDaemon.PathOf("inframanager"), arguments, environment: new Dictionary<string, string?> { [environment.Name] = environment.Value });

    [Fact]
    public async Task Start_MalformedConfigFile_OneLineAndExit1()
    {
        var config = Path.Combine(_directory, "broken.yaml");
        await File.WriteAllTextAsync(config, "InfraManager:\n  addr: 127.0.0.1:50002\n   conn: mtls\n");

        var result = await RunToExitAsync("--config", config, "--log-file", LogFile);

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"inframanager: configuration: config file {config}: line 3", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_UnknownLogLevel_OneLineAndExit1()
    {
        var result = await RunToExitAsync("--log-level", "Chatty", "--log-file", LogFile, "--conn", "insecure");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("inframanager: configuration: LogLevel: 'Chatty' is not a log level; use one of Trace, Debug, Info, Warn, Error, Fatal (or Verbose, Information, Warning, Panic)", result.StandardError.Trim());
    }

    [Fact]
    public async Task Start_LogLevelFromEnvironmentLikeViper_IsValidated()
    {
        var result = await ChildProcess.RunAsync(
            PublishedDaemon.PathOf("inframanager"),
            ["--log-file", LogFile, "--conn", "insecure"],
            environment: new Dictionary<string, string?> { ["LOGLEVEL"] = "Loud" });

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("LogLevel: 'Loud'", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_MtlsWithoutCertificates_NamesTheMissingFile()
    {
        var result = await RunToExitAsync("--log-file", LogFile, "--server-cert", Path.Combine(_directory, "none.crt"));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"InfraManager:serverCert: file {Path.Combine(_directory, "none.crt")} does not exist", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_WithoutNodeIp_NamesItAndExits1()
    {
        var result = await RunToExitAsync(["--log-file", LogFile, "--conn", "insecure", "--store-dir", Path.Combine(_directory, "store"), .. TargetFlags(_target)]);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("inframanager: configuration: NODE_IP: the node's IPv4 address is required (the DaemonSet sets it from status.hostIP)", result.StandardError.Trim());
    }

    [Fact]
    public async Task Start_V2301ConfigFile_ReachesTheTargetAtGrpcServerAddr()
    {
        var config = Path.Combine(_directory, "config.yaml");
        await File.WriteAllTextAsync(config, $"""
            GrpcServer:
              addr: 127.0.0.1:{_target.P4RuntimePort}
            GnmiServer:
              addr: 127.0.0.1:{_target.GnmiPort}
            P4InfoPath: {Path.Combine(RepoPaths.Root, "k8s_dp", "p4Info.txt")}
            p4BinPath: {Path.Combine(_directory, "k8s_dp.pb.bin")}
            DeviceId: {_target.DeviceId}
            LogLevel: "Debug"
            InterfaceType: tap
            """);
        var port = FreePort.Next();
        await using var manager = DaemonProcess.StartPublished("inframanager",
        [
            "--config", config, "--addr", $"127.0.0.1:{port}", "--conn", "insecure", "--p4runtime-conn", "insecure", "--gnmi-conn", "insecure",
            "--store-dir", Path.Combine(_directory, "store"), "--node-ip", "10.10.0.2", "--metrics-addr", string.Empty, "--log-file", LogFile,
        ]);

        await manager.WaitForOutputAsync("API listening");

        Assert.Contains($"P4Runtime target 127.0.0.1:{_target.P4RuntimePort}", manager.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_Es2kInterfaceType_SaysTapIsNeededAndExits1()
    {
        var result = await RunToExitAsync(["--log-file", LogFile, "--conn", "insecure", "--node-ip", "10.10.0.2", .. TargetFlags(_target)], ("INTERFACETYPE", "cdq"));

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("inframanager: configuration: InterfaceType: 'cdq' is not supported", result.StandardError.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_Help_ListsFlagsAndExits0()
    {
        var result = await RunToExitAsync("--help");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("--server-cert", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_Mtls_ServesHealthToTheAgentOnlyAndLogsToItsFile()
    {
        var port = FreePort.Next();
        await using var manager = DaemonProcess.StartPublished("inframanager",
        [
            "--addr", $"127.0.0.1:{port}",
            "--server-cert", _certificates.ManagerServer.Certificate,
            "--server-key", _certificates.ManagerServer.Key,
            "--ca-cert", _certificates.CaFile,
            "--log-file", LogFile,
            "--store-dir", Path.Combine(_directory, "store"),
            "--node-ip", "10.10.0.2",
            .. TargetFlags(_target),
        ]);
        await manager.WaitForOutputAsync("API listening");

        var agent = new TlsSettings(TlsMode.Mtls, _certificates.AgentClient.Certificate, _certificates.AgentClient.Key, _certificates.CaFile);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, await CheckAsync(port, agent));
        var anonymous = new TlsSettings(TlsMode.Tls, string.Empty, string.Empty, _certificates.CaFile);
        var refused = await Assert.ThrowsAsync<RpcException>(() => CheckAsync(port, anonymous));
        // TLS 1.3: the refusal shows as a failed connection or a reset stream, never as an answer.
        Assert.True(refused.StatusCode is StatusCode.Unavailable or StatusCode.Internal, refused.ToString());
        Assert.Contains($"listening: 127.0.0.1:{port} (mtls)", await File.ReadAllTextAsync(LogFile), StringComparison.Ordinal);
        // It loaded k8s_dp into the empty target before it served.
        var pipeline = await new Proto.P4.V1.P4Runtime.P4RuntimeClient(_target.P4Runtime).GetForwardingPipelineConfigAsync(new Proto.P4.V1.GetForwardingPipelineConfigRequest { DeviceId = _target.DeviceId });
        Assert.Contains(pipeline.Config.P4Info.Tables, t => t.Preamble.Alias == "ipv4_to_port_table");
    }

    /// <summary>The flags that point a manager at a plain-gRPC SoftTarget and the repository's k8s_dp p4info.</summary>
    internal static string[] TargetFlags(SoftTargetProcess target) =>
    [
        "--p4runtime-addr", $"127.0.0.1:{target.P4RuntimePort}", "--p4runtime-conn", "insecure",
        "--gnmi-addr", $"127.0.0.1:{target.GnmiPort}", "--gnmi-conn", "insecure",
        "--p4info", Path.Combine(RepoPaths.Root, "k8s_dp", "p4Info.txt"), "--p4bin", Path.Combine(RepoPaths.Root, "k8s_dp", "k8s_dp.pb.bin"),
        // Tests run side by side: no fixed metrics port.
        "--metrics-addr", string.Empty,
    ];

    private static async Task<HealthCheckResponse.Types.ServingStatus> CheckAsync(int port, TlsSettings settings)
    {
        using var material = new ReloadingTlsMaterial(settings, TimeProvider.System, NullLogger.Instance);
        using var channel = GrpcChannels.Create($"127.0.0.1:{port}", material);
        return (await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(10))).Status;
    }
}
