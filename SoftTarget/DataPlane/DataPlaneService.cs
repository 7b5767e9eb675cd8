using Netlink;
using Packets.Tap;
using SoftTarget.Ports;
using SoftTarget.Runtime;

namespace SoftTarget.DataPlane;

/// <summary>
/// Opens every port's TAP (created if missing, persistent so pods keep their interfaces across a
/// restart of the target), runs a worker per port, points the engine at each committed pipeline and
/// ages learned connections (pinned_flows*, acl_conntrack).
/// </summary>
internal sealed partial class DataPlaneService : BackgroundService
{
    private const string NamedNamespaces = "/var/run/netns";

    private readonly PortRegistry _ports;
    private readonly P4Device _device;
    private readonly K8sDpEngine _engine;
    private readonly DataPlaneOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<DataPlaneService> _logger;
    private readonly Lock _gate = new();
    private readonly List<PortWorker> _workers = [];
    private TapDevice?[] _byPort = [];

    // Ports whose TAP is gone and not back yet, logged once (the timer's thread only).
    private readonly HashSet<uint> _lostPorts = [];

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
                ReattachDetachedPorts();
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
                tap = OpenTap(name);
            }
            catch (Exception e) when (e is IOException or ArgumentException)
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

    /// <summary>
    /// The port's TAP: in a pod's namespace if the agent moved it there (it carries the port's name as an
    /// alternative name, so a restarted target finds it and attaches again), else here, created if missing.
    /// </summary>
    private TapDevice OpenTap(string name)
    {
        var offloads = _options.Offloads ? TapOffloads.Default : TapOffloads.None;
        if (PodNamespaceHolding(name) is { } netns)
        {
            // /dev/net/tun opened inside that namespace looks the name up there; the descriptor then works from any thread.
            var tap = NetworkNamespaceRunner.RunAsync(netns, _ => TapDevice.Open(name, offloads, vnetHeader: true, persistent: true), CancellationToken.None).GetAwaiter().GetResult();
            LogPortInPod(_logger, name, netns);
            return tap;
        }

        return TapDevice.Open(name, offloads, vnetHeader: true, persistent: true);
    }

    /// <summary>The named network namespace (/var/run/netns) that holds a link called <paramref name="name"/>, when this one does not.</summary>
    private static string? PodNamespaceHolding(string name)
    {
        using (var here = RouteNetlinkClient.Open())
        {
            if (here.FindLink(name) is not null || !Directory.Exists(NamedNamespaces))
            {
                return null;
            }
        }

        foreach (var netns in Directory.EnumerateFiles(NamedNamespaces))
        {
            try
            {
                using var there = RouteNetlinkClient.OpenInNamespace(netns);
                if (there.FindLink(name) is not null)
                {
                    return netns;
                }
            }
            catch (IOException)
            {
                // Gone meanwhile, or not a namespace.
            }
        }

        return null;
    }

    /// <summary>
    /// A port whose TAP was destroyed (its pod's namespace deleted while the TAP was in it) is opened again
    /// once an interface of its name exists again: the agent makes the TAP anew at home, or it has moved
    /// it into a pod already. Until then the port drops what is sent to it.
    /// </summary>
    private void ReattachDetachedPorts()
    {
        List<PortWorker> detached;
        lock (_gate)
        {
            detached = [.. _workers.Where(w => w.Detached)];
        }

        foreach (var worker in detached)
        {
            var name = worker.Tap.Name;
            if (!LinkExists(name))
            {
                if (_lostPorts.Add(worker.PortId))
                {
                    LogPortLost(_logger, name, worker.PortId);
                }

                continue;
            }

            lock (_gate)
            {
                _workers.Remove(worker);
                var byPort = (TapDevice?[])_byPort.Clone();
                byPort[worker.PortId] = null;
                Volatile.Write(ref _byPort, byPort);
            }

            worker.Dispose();
            _lostPorts.Remove(worker.PortId);
            if (OpenPort(name, worker.PortId) is null)
            {
                LogPortReattached(_logger, name, worker.PortId);
            }
        }
    }

    private static bool LinkExists(string name)
    {
        using (var here = RouteNetlinkClient.Open())
        {
            if (here.FindLink(name) is not null)
            {
                return true;
            }
        }

        return PodNamespaceHolding(name) is not null;
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
        foreach (var table in (TableState[])[tables.PinnedFlows, tables.PinnedFlowsReverse, tables.AclConntrack])
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

    [LoggerMessage(EventId = 664, Level = LogLevel.Information, Message = "port {Name} is a pod's interface in {Netns} (its alternative name there): attached there")]
    private static partial void LogPortInPod(ILogger logger, string name, string netns);

    [LoggerMessage(EventId = 665, Level = LogLevel.Warning, Message = "port {Name} (P4 port {Id}) lost its TAP (destroyed with the namespace it was in): opened again once an interface of that name is back")]
    private static partial void LogPortLost(ILogger logger, string name, uint id);

    [LoggerMessage(EventId = 666, Level = LogLevel.Information, Message = "port {Name} (P4 port {Id}) attached again to its new TAP")]
    private static partial void LogPortReattached(ILogger logger, string name, uint id);

    [LoggerMessage(EventId = 663, Level = LogLevel.Debug, Message = "{Count} idle connections aged out")]
    private static partial void LogAged(ILogger logger, int count);
}
