using System.Globalization;
using Grpc.Net.Client;
using P4Pipeline;
using Proto.P4.Config.V1;
using TestSupport;
using Xunit;

namespace SoftTargetKit;

/// <summary>
/// A real softtarget process on free loopback ports: plain gRPC with channels to it, or mTLS with the
/// certificates of make gen-certs (as infrap4d runs), where callers make their own secure channels.
/// </summary>
public sealed class SoftTargetProcess : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("k8sio-softtarget-").FullName;
    private readonly TestCertificates? _certificates;
    private readonly string _tapPrefix = "P4TAP_";
    private readonly int _ports;
    private DaemonProcess? _process;

    public SoftTargetProcess()
    {
    }

    // xunit fixtures may have one public constructor: the mTLS one is reached through Mtls().
    private SoftTargetProcess(TestCertificates certificates, string tapPrefix, int ports)
    {
        _certificates = certificates;
        _tapPrefix = tapPrefix;
        _ports = ports;
    }

    /// <summary>
    /// mTLS: the infrap4d server certificate (it names localhost), client certificates checked against
    /// the CA. With <paramref name="ports"/>, it makes TAPs <paramref name="tapPrefix"/>0.. at start
    /// (root; they vanish with the process).
    /// </summary>
    public static SoftTargetProcess Mtls(TestCertificates certificates, string tapPrefix = "P4TAP_", int ports = 0) => new(certificates, tapPrefix, ports);

    /// <summary>The names of the TAPs made at start.</summary>
    public IReadOnlyList<string> TapNames => [.. Enumerable.Range(0, _ports).Select(i => _tapPrefix + i.ToString(CultureInfo.InvariantCulture))];

    public int P4RuntimePort { get; private set; }

    public int GnmiPort { get; private set; }

    public ulong DeviceId { get; } = 1;

    public GrpcChannel P4Runtime { get; private set; } = null!; // set in InitializeAsync

    public GrpcChannel Gnmi { get; private set; } = null!; // set in InitializeAsync

    public string Output => _process?.Output ?? string.Empty;

    public int ProcessId => _process?.Id ?? 0;

    /// <summary>Waits until SoftTarget has printed <paramref name="text"/> (a log line it writes when something happened).</summary>
    public Task WaitForOutputAsync(string text, TimeSpan? timeout = null) =>
        _process?.WaitForOutputAsync(text, timeout) ?? throw new InvalidOperationException("SoftTarget is not running");

    public static P4Info K8sDpP4Info { get; } = ProtobufText.Parse<P4Info>(File.ReadAllText(Path.Combine(RepoPaths.Root, "k8s_dp", "p4Info.txt")));

    public async Task InitializeAsync()
    {
        // A free port stays free only until someone binds it, and test assemblies run side by side: on a clash, pick again.
        for (var attempt = 1; ; attempt++)
        {
            P4RuntimePort = FreePort.Next();
            do
            {
                GnmiPort = FreePort.Next();
            }
            while (GnmiPort == P4RuntimePort);

            try
            {
                await StartProcessAsync();
                break;
            }
            catch (TimeoutException) when (attempt < 5 && Output.Contains("address already in use", StringComparison.Ordinal))
            {
                await KillAsync();
            }
        }

        if (_certificates is null)
        {
            P4Runtime = GrpcChannel.ForAddress($"http://127.0.0.1:{P4RuntimePort}");
            Gnmi = GrpcChannel.ForAddress($"http://127.0.0.1:{GnmiPort}");
        }
    }

    /// <summary>Kills the process (SIGKILL), as a crash would: every stream breaks, all state is gone.</summary>
    public async Task KillAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
            _process = null;
        }
    }

    /// <summary>
    /// Kills the process if it runs and starts a new one on the same ports: a target that restarted,
    /// with no pipeline and no ports. <see cref="P4Runtime"/> and <see cref="Gnmi"/> reconnect by themselves.
    /// </summary>
    public async Task RestartAsync()
    {
        await KillAsync();
        await StartProcessAsync();
    }

    private async Task StartProcessAsync()
    {
        string[] security = _certificates is null
            ? ["--conn", "insecure"]
            : ["--conn", "mtls", "--cert", _certificates.Infrap4dServer.Certificate, "--key", _certificates.Infrap4dServer.Key, "--ca-cert", _certificates.CaFile];
        _process = DaemonProcess.Start("softtarget.dll",
        [
            .. security,
            "--addr", $"127.0.0.1:{P4RuntimePort}",
            "--gnmi-addr", $"127.0.0.1:{GnmiPort}",
            "--device-id", DeviceId.ToString(CultureInfo.InvariantCulture),
            "--log-file", Path.Combine(_directory, "softtarget.log"),
            "--log-level", "Debug",
            "--ports", _ports.ToString(CultureInfo.InvariantCulture),
            "--tap-prefix", _tapPrefix,
        ]);
        await _process.WaitForOutputAsync("softtarget serving", TimeSpan.FromSeconds(30));
    }

    public async Task DisposeAsync()
    {
        P4Runtime?.Dispose();
        Gnmi?.Dispose();
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }

        // The TAPs it made at start are persistent (they outlive the process, as pods need): remove them.
        foreach (var tap in TapNames)
        {
            await TestSupport.Network.HostCommands.DeleteLinkIfPresentAsync(tap);
        }

        Directory.Delete(_directory, recursive: true);
    }
}
