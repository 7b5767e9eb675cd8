using System.Net.Sockets;
using Grpc.Net.Client;
using InfraAgent.Manager;
using InfraAgent.Policy;
using InfraAgent.Tests.Services;
using Prometheus;
using TestSupport;

namespace InfraAgent.Tests.Policy;

/// <summary>
/// A <see cref="PolicyServer"/> listening on a real unix socket in a temporary folder, relaying over the agent's own
/// manager channel (<see cref="ManagerChannelFactory"/>, plain gRPC here) to a <see cref="RecordingManager"/> that can
/// be stopped and started again on its port. Everything is removed on dispose.
/// </summary>
internal sealed class PolicyServerRun : IAsyncDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("k8sio-felix-").FullName;
    private readonly List<RecordingManager> _stopped = [];
    private readonly List<Socket> _connections = [];
    private readonly CollectorRegistry _registry = Metrics.NewCustomRegistry();
    private GrpcChannel? _channel;

    private PolicyServerRun()
    {
        SocketPath = Path.Combine(_directory, "run", "felix-dataplane.sock");
    }

    /// <summary>In a folder the server must make.</summary>
    public string SocketPath { get; }

    public RecordingManager? Manager { get; private set; }

    public PolicyServer Server { get; private set; } = null!; // set in StartAsync

    public RecordingLogger<PolicyServer> Log { get; } = new();

    /// <summary>Felix calls of this manager and of the stopped ones before it, in order.</summary>
    public IReadOnlyList<(string Rpc, Google.Protobuf.IMessage Request)> FelixCalls =>
        [.. _stopped.SelectMany(m => m.FelixCalls), .. Manager?.FelixCalls ?? []];

    public IEnumerable<string> Rpcs => FelixCalls.Select(c => c.Rpc);

    /// <summary>Starts the server; <paramref name="beforeStart"/> runs first (to leave a stale file at the socket path, say).</summary>
    public static async Task<PolicyServerRun> StartAsync(Action<string>? beforeStart = null)
    {
        var run = new PolicyServerRun();
        try
        {
            run.Manager = await RecordingManager.StartAsync();
            var options = new AgentOptions { Insecure = true, ManagerAddr = "127.0.0.1", ManagerPort = run.Manager.Port, FelixSocket = run.SocketPath };
            run._channel = ManagerChannelFactory.Create(options, material: null);
            var relay = new FelixRelayClient(new Proto.Infra.InfraAgent.InfraAgentClient(run._channel));
            run.Server = new PolicyServer(options, relay, new FelixItems(Path.Combine(run._directory, "felix-items")), new PolicyMetrics(run._registry), TimeProvider.System, run.Log);
            beforeStart?.Invoke(run.SocketPath);
            await run.Server.StartAsync(CancellationToken.None);
            await run.Server.Listening.DefaultTimeout();
            return run;
        }
        catch
        {
            await run.DisposeAsync();
            throw;
        }
    }

    /// <summary>A connection to the server, as felix-api-proxy makes; closed on dispose at the latest.</summary>
    public async Task<Socket> ConnectAsync()
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _connections.Add(socket);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath)).DefaultTimeout();
        return socket;
    }

    public async Task StopManagerAsync()
    {
        if (Manager is not null)
        {
            await Manager.DisposeAsync();
            _stopped.Add(Manager);
            Manager = null;
        }
    }

    /// <summary>A new manager where the stopped one listened.</summary>
    public async Task StartManagerAsync(int port) => Manager = await RecordingManager.StartAsync(port);

    public async Task WaitForCallsAsync(int count)
    {
        var deadline = DateTime.UtcNow + TaskTimeoutExtensions.Default;
        while (FelixCalls.Count < count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{FelixCalls.Count} of {count} Felix calls arrived: {string.Join(", ", Rpcs)}\n{string.Join("\n", Log.Lines)}");
            }

            await Task.Delay(20);
        }
    }

    public async Task WaitForLogAsync(string text)
    {
        var deadline = DateTime.UtcNow + TaskTimeoutExtensions.Default;
        while (!Log.Lines.Any(l => l.Contains(text, StringComparison.Ordinal)))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"'{text}' not logged:\n{string.Join("\n", Log.Lines)}");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>The agent's /metrics text.</summary>
    public async Task<string> MetricsAsync()
    {
        using var text = new MemoryStream();
        await _registry.CollectAndExportAsTextAsync(text);
        return System.Text.Encoding.UTF8.GetString(text.ToArray());
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var socket in _connections)
        {
            socket.Dispose();
        }

        if (Server is not null)
        {
            await Server.StopAsync(CancellationToken.None).DefaultTimeout();
            Server.Dispose();
        }

        _channel?.Dispose();
        await StopManagerAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
