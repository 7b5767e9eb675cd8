using System.Globalization;
using DaemonHost.Tls;
using Grpc.Net.Client;
using InfraManager.Tables;
using Microsoft.Extensions.Logging.Abstractions;
using P4Pipeline;
using Proto.Infra;
using Proto.P4.V1;
using SoftTargetKit;
using TestSupport;

namespace InfraManager.Tests.Api;

/// <summary>
/// A node's manager side as it runs for real: a SoftTarget process with TAP ports, over mTLS (the
/// infrap4d certificates), and an inframanager process using it, serving infra.InfraAgent over mTLS,
/// with its store in a temporary directory. The test is the agent (its client certificate) and reads
/// the target's tables over P4Runtime with the manager's client certificate.
/// </summary>
internal sealed class ManagerNode : IAsyncDisposable
{
    public const string NodeIp = "10.10.0.2";

    private static int _instances;

    private readonly TestCertificates _certificates;
    private readonly string _directory = Directory.CreateTempSubdirectory("k8sio-node-").FullName;
    private readonly List<IDisposable> _disposables = [];
    private DaemonProcess? _manager;

    private ManagerNode(TestCertificates certificates, string tapPrefix, int ports, string p4InfoFile)
    {
        _certificates = certificates;
        Target = SoftTargetProcess.Mtls(certificates, tapPrefix, ports);
        P4InfoFile = p4InfoFile;
    }

    public SoftTargetProcess Target { get; }

    public string StoreDir => Path.Combine(_directory, "store");

    public string LogFile => Path.Combine(_directory, "inframanager.log");

    public string P4InfoFile { get; }

    public int ApiPort { get; private set; }

    public int MetricsPort { get; private set; }

    public string ManagerOutput => _manager?.Output ?? string.Empty;

    public InfraAgent.InfraAgentClient Agent { get; private set; } = null!; // set in StartAsync

    public IReadOnlyList<string> Taps => Target.TapNames;

    /// <summary>
    /// Starts the target (with <paramref name="ports"/> TAPs named uniquely for this node) and the manager.
    /// <paramref name="p4Info"/> replaces k8s_dp's p4Info.txt (e.g. with smaller tables).
    /// </summary>
    public static async Task<ManagerNode> StartAsync(TestCertificates certificates, int ports = 4, string? p4Info = null, Func<string, Task>? prepareStore = null)
    {
        // TAP names are at most 15 characters: "mn" + pid + instance + "_" + index.
        var prefix = string.Create(CultureInfo.InvariantCulture, $"mn{Environment.ProcessId % 10000}{Interlocked.Increment(ref _instances) % 100}_");
        var p4InfoFile = Path.Combine(RepoPaths.Root, "k8s_dp", "p4Info.txt");
        var node = new ManagerNode(certificates, prefix, ports, p4InfoFile);
        try
        {
            if (p4Info is not null)
            {
                node.P4InfoFileOverride = Path.Combine(node._directory, "p4Info.txt");
                await File.WriteAllTextAsync(node.P4InfoFileOverride, p4Info);
            }

            await node.Target.InitializeAsync();
            if (prepareStore is not null)
            {
                Directory.CreateDirectory(node.StoreDir);
                await prepareStore(node.StoreDir);
            }

            await node.StartManagerAsync();
            var material = new ReloadingTlsMaterial(new TlsSettings(TlsMode.Mtls, certificates.AgentClient.Certificate, certificates.AgentClient.Key, certificates.CaFile), TimeProvider.System, NullLogger.Instance);
            var channel = GrpcChannels.Create($"localhost:{node.ApiPort}", material);
            node._disposables.Add(channel);
            node._disposables.Add(material);
            node.Agent = new InfraAgent.InfraAgentClient(channel);
            return node;
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    private string? P4InfoFileOverride { get; set; }

    /// <summary>Starts inframanager (again, on the same ports and store) and waits until it serves.</summary>
    public async Task StartManagerAsync()
    {
        if (ApiPort == 0)
        {
            ApiPort = FreePort.Next();
            MetricsPort = FreePort.Next();
        }

        _manager = DaemonProcess.StartPublished("inframanager",
        [
            .. ManagerArguments.Mtls(_certificates, Target, ApiPort, StoreDir, P4InfoFileOverride ?? P4InfoFile),
            "--node-ip", NodeIp,
            "--metrics-addr", $"127.0.0.1:{MetricsPort}",
            "--log-file", LogFile,
            "--log-level", "Debug",
        ]);
        await _manager.WaitForOutputAsync("API listening", TimeSpan.FromSeconds(60));
    }

    /// <summary>SIGKILL: no shutdown code runs.</summary>
    public async Task KillManagerAsync()
    {
        // Tests kill from a background task while requests run: only one caller gets the process.
        if (Interlocked.Exchange(ref _manager, null) is { } manager)
        {
            await manager.DisposeAsync();
        }
    }

    /// <summary>The port the target gave a TAP (gNMI, as the manager asks it).</summary>
    public async Task<uint> PortOfAsync(string tap)
    {
        using var channel = TargetChannel(Target.GnmiPort, out var material);
        using (material)
        {
            return await GnmiPorts.PortIdAsync(channel, tap);
        }
    }

    /// <summary>
    /// Every entity of the tables and selectors the manager owns, one line each as the manager's log
    /// renders it (table{key} → action(params)), sorted.
    /// </summary>
    public async Task<List<string>> ReadTablesAsync()
    {
        using var channel = TargetChannel(Target.P4RuntimePort, out var material);
        using (material)
        {
            var client = new P4Runtime.P4RuntimeClient(channel);
            var pipeline = await client.GetForwardingPipelineConfigAsync(new GetForwardingPipelineConfigRequest { DeviceId = Target.DeviceId }, deadline: DateTime.UtcNow.AddSeconds(10));
            var tables = new K8sDpTables(P4InfoIndex.Build(pipeline.Config.P4Info));
            var request = new ReadRequest { DeviceId = Target.DeviceId };
            request.Entities.AddRange(tables.OwnedFilters());
            var lines = new List<string>();
            using var call = client.Read(request, deadline: DateTime.UtcNow.AddSeconds(30));
            while (await call.ResponseStream.MoveNext(CancellationToken.None))
            {
                lines.AddRange(call.ResponseStream.Current.Entities.Select(e => tables.Describe(K8sDpTables.Normalize(e))));
            }

            lines.Sort(StringComparer.Ordinal);
            return lines;
        }
    }

    /// <summary>Polls the tables until <paramref name="done"/> holds or the default timeout passes; returns the last read.</summary>
    public async Task<List<string>> WaitForTablesAsync(Func<List<string>, bool> done)
    {
        var deadline = DateTime.UtcNow + TaskTimeoutExtensions.Default;
        while (true)
        {
            List<string>? lines = null;
            try
            {
                lines = await ReadTablesAsync();
            }
            catch (Grpc.Core.RpcException) when (DateTime.UtcNow < deadline)
            {
                // The target is restarting or has no pipeline yet.
            }

            if (lines is not null && (done(lines) || DateTime.UtcNow > deadline))
            {
                return lines;
            }

            await Task.Delay(100);
        }
    }

    public async Task<string> MetricsAsync()
    {
        using var http = new HttpClient();
        return await http.GetStringAsync(new Uri($"http://127.0.0.1:{MetricsPort}/metrics"));
    }

    public async ValueTask DisposeAsync()
    {
        await KillManagerAsync();
        foreach (var disposable in _disposables)
        {
            disposable.Dispose();
        }

        await Target.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private GrpcChannel TargetChannel(int port, out ReloadingTlsMaterial material)
    {
        material = new ReloadingTlsMaterial(new TlsSettings(TlsMode.Mtls, _certificates.ManagerClient.Certificate, _certificates.ManagerClient.Key, _certificates.CaFile), TimeProvider.System, NullLogger.Instance);
        return GrpcChannels.Create($"localhost:{port}", material);
    }
}
