using Packets.Tap;
using SoftTarget.Ports;
using SoftTarget.Runtime;

namespace SoftTarget.DataPlane;

/// <summary>
/// Opens every port's TAP (created if missing, persistent so pods keep their interfaces across a
/// restart of the target), runs a worker per port, points the engine at each committed pipeline and
/// ages learned connections.
/// </summary>
internal sealed partial class DataPlaneService : BackgroundService
{
    private readonly PortRegistry _ports;
    private readonly P4Device _device;
    private readonly K8sDpEngine _engine;
    private readonly DataPlaneOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<DataPlaneService> _logger;
    private readonly Lock _gate = new();
    private readonly List<PortWorker> _workers = [];
    private TapDevice?[] _byPort = [];

    public DataPlaneService(PortRegistry ports, P4Device device, K8sDpEngine engine, DataPlaneOptions options, TimeProvider time, ILogger<DataPlaneService> logger)
    {
        _ports = ports;
        _device = device;
        _engine = engine;
        _options = options;
        _time = time;
        _logger = logger;
    }

    public IReadOnlyList<PortWorker> Workers
    {
        get
        {
            lock (_gate)
            {
                return [.. _workers];
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _device.PipelineCommitted += OnPipeline;
        if (_device.Pipeline is { } current)
        {
            OnPipeline(current);
        }

        _ports.PortAdded += OnPort;
        foreach (var (name, id) in _ports.Ports)
        {
            OnPort(name, id);
        }

        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                AgeFlows();
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _ports.PortAdded -= OnPort;
        _device.PipelineCommitted -= OnPipeline;
        await base.StopAsync(cancellationToken);
        lock (_gate)
        {
            foreach (var worker in _workers)
            {
                worker.Dispose();
            }

            _workers.Clear();
            _byPort = [];
        }
    }

    private void OnPipeline(ForwardingPipeline pipeline)
    {
        _engine.Tables = new K8sDpTables(pipeline);
        LogPipeline(_logger, pipeline.Index.Tables.Count);
    }

    private void OnPort(string name, uint id) => OpenPort(name, id);

    /// <summary>Opens the port's TAP and starts its worker, unless it runs already; returns why it cannot, or null.</summary>
    public string? OpenPort(string name, uint id)
    {
        lock (_gate)
        {
            if (_workers.Any(w => w.PortId == id))
            {
                return null;
            }

            TapDevice tap;
            try
            {
                tap = TapDevice.Open(name, _options.Offloads ? TapOffloads.Default : TapOffloads.None, vnetHeader: true, persistent: true);
            }
            catch (Exception e) when (e is Packets.NativeIOException or ArgumentException)
            {
                LogPortFailed(_logger, name, id, e.Message);
                return e.Message;
            }

            var byPort = new TapDevice?[Math.Max(_byPort.Length, (int)id + 1)];
            _byPort.CopyTo(byPort, 0);
            byPort[id] = tap;
            Volatile.Write(ref _byPort, byPort);
            var worker = new PortWorker(id, tap, _engine, Output);
            _workers.Add(worker);
            worker.Start();
            LogPortOpened(_logger, name, id, tap.Created ? "created" : "attached", tap.Offloads);
            return null;
        }
    }

    private TapDevice? Output(int port)
    {
        var byPort = Volatile.Read(ref _byPort);
        return (uint)port < (uint)byPort.Length ? byPort[port] : null;
    }

    private void AgeFlows()
    {
        if (_engine.Tables is not { } tables)
        {
            return;
        }

        var now = _time.GetTimestamp();
        var idle = TimeSpan.FromSeconds(_options.FlowIdleSeconds);
        var removed = 0;
        foreach (var table in (TableState[])[tables.PinnedFlows, tables.PinnedFlowsReverse])
        {
            foreach (var (key, entry) in table.Entries)
            {
                if (entry.Learned && _time.GetElapsedTime(Volatile.Read(ref entry.LastHit), now) > idle && table.TryRemove(key, out _))
                {
                    removed++;
                }
            }
        }

        if (removed > 0)
        {
            LogAged(_logger, removed);
        }
    }

    [LoggerMessage(EventId = 660, Level = LogLevel.Information, Message = "data plane: k8s_dp pipeline with {Tables} tables in effect")]
    private static partial void LogPipeline(ILogger logger, int tables);

    [LoggerMessage(EventId = 661, Level = LogLevel.Information, Message = "port {Name} (P4 port {Id}) {How}, offloads {Offloads}")]
    private static partial void LogPortOpened(ILogger logger, string name, uint id, string how, TapOffloads offloads);

    [LoggerMessage(EventId = 662, Level = LogLevel.Error, Message = "port {Name} (P4 port {Id}) cannot be opened: {Reason}")]
    private static partial void LogPortFailed(ILogger logger, string name, uint id, string reason);

    [LoggerMessage(EventId = 663, Level = LogLevel.Debug, Message = "{Count} idle connections aged out")]
    private static partial void LogAged(ILogger logger, int count);
}
