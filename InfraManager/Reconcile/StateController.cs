using System.Diagnostics;
using System.Threading.Channels;
using Grpc.Core;
using InfraManager.Monitoring;
using InfraManager.P4;
using InfraManager.State;
using InfraManager.Store;
using InfraManager.Tables;
using P4Pipeline;
using Proto.P4.V1;

namespace InfraManager.Reconcile;

/// <summary>
/// The one writer of the desired state and of the target. Requests queue here; each batch of queued
/// requests becomes one new state, its entity changes are written in dependency order
/// (<see cref="UpdatePlan"/>), and only when the target took all of them is the state committed to
/// the store, and the requests answered. When a write fails part-way, what was applied is rolled
/// back and the requests of the batch are tried one by one, so that only the culprit fails. On start
/// and whenever the P4Runtime session comes back, the reconciler reads the target and makes it equal
/// to the stored state.
/// </summary>
internal sealed class StateController : BackgroundService
{
    /// <summary>Requests taken into one batch at most.</summary>
    public const int MaxBatch = 256;

    private const int RepairsListed = 100;

    private const int LargeReconcile = 10_000;

    private readonly Channel<Work> _work = Channel.CreateUnbounded<Work>(new UnboundedChannelOptions { SingleReader = true });
    private readonly P4RuntimeSession _session;
    private readonly StateStore _store;
    private readonly PortLookup? _ports;
    private readonly ManagerMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    private K8sDpTables _tables = null!; // set in StartAsync, before any work is taken
    private DesiredEntities _desired = null!;
    private IdAllocator _ids = null!;
    private TimeSpan _retryDelay = TimeSpan.FromMilliseconds(200);

    // What the last successful change wrote, for its log line.
    private int _lastUpdates;
    private int _lastWrites;

    public StateController(P4RuntimeSession session, StateStore store, PortLookup? ports, ManagerMetrics metrics, TimeProvider time, ILogger<StateController> logger)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _session = session;
        _store = store;
        _ports = ports;
        _metrics = metrics;
        _time = time;
        _logger = logger;
    }

    /// <summary>The committed desired state.</summary>
    public ManagerState State => _store.State;

    /// <summary>The ACL plan of the entities last built or applied (read by the API to explain a policy it cannot express).</summary>
    public Policy.AclPlan Acl => Volatile.Read(ref _desired)?.Acl ?? Policy.AclPlan.Empty;

    /// <summary>
    /// Queues <paramref name="command"/> and waits for its outcome. Once queued it runs even if the
    /// caller stops waiting (its effect is then as if acknowledged; a repeat is idempotent).
    /// </summary>
    public async Task<CommandOutcome> SubmitAsync(StateCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var pending = new PendingCommand(command);
        await _work.Writer.WriteAsync(pending, cancellationToken);
        return await pending.Completion.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Queues a reconcile and waits for it (tests use it; the controller reconciles by itself).</summary>
    public async Task<ReconcileReport> ReconcileAsync(string reason, CancellationToken cancellationToken)
    {
        var work = new ReconcileWork(reason);
        await _work.Writer.WriteAsync(work, cancellationToken);
        return await work.Completion.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Builds the desired entities from the store and reconciles the target before the API opens.</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            Rebuild(_store.State);
        }
        catch (P4InfoException e)
        {
            throw new DaemonHost.DaemonStartException($"the target's pipeline is not one the manager can program: {e.Message}", e);
        }

        var state = _store.State;
        var pods = state.Endpoints.Values.Count(e => e.Kind == EndpointKind.Pod);
        var hostName = state.Host is { } host ? $"{host.Name} {host.Ip}" : "not set up";
        ReconcileLog.Loaded(_logger, pods, state.Services.Count, hostName, _store.LoadedFrom);
        _session.Reconnected += OnReconnected;
        try
        {
            ReturnMemoryAfter(await RunReconcileAsync("start", cancellationToken));
        }
        catch (Exception e) when (e is P4RuntimeException or CapacityException)
        {
            // The API still opens; the loop retries until the target takes the state.
            ScheduleRetry("start", e.Message);
        }

        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _session.Reconnected -= OnReconnected;
        _work.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
        while (_work.Reader.TryRead(out var left))
        {
            left.Abandon("the manager is stopping");
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<PendingCommand>(MaxBatch);
        try
        {
            while (await _work.Reader.WaitToReadAsync(stoppingToken))
            {
                while (_work.Reader.TryPeek(out var next))
                {
                    if (next is ReconcileWork reconcile)
                    {
                        if (batch.Count > 0)
                        {
                            break;
                        }

                        _work.Reader.TryRead(out _);
                        await ReconcileOrRetryAsync(reconcile, stoppingToken);
                        continue;
                    }

                    _work.Reader.TryRead(out _);
                    batch.Add((PendingCommand)next);
                    if (batch.Count == MaxBatch)
                    {
                        break;
                    }
                }

                if (batch.Count > 0)
                {
                    await ProcessAsync(batch, stoppingToken);
                    batch.Clear();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            foreach (var pending in batch)
            {
                pending.Abandon("the manager is stopping");
            }
        }
        catch (Exception e)
        {
            // The top of the writer's loop: without it no request would ever be answered again.
            ReconcileLog.LoopFailed(_logger, e);
            throw;
        }
    }

    private async Task ProcessAsync(IReadOnlyList<PendingCommand> batch, CancellationToken cancellationToken)
    {
        var committed = _store.State;
        var next = committed;
        var changed = new List<PendingCommand>(batch.Count);
        var rejected = false;
        foreach (var pending in batch)
        {
            try
            {
                var after = pending.Command.Apply(next, _ids);
                if (ReferenceEquals(after, next))
                {
                    ReconcileLog.Unchanged(_logger, pending.Command);
                    pending.Complete(CommandOutcome.Unchanged);
                }
                else
                {
                    changed.Add(pending);
                    next = after;
                }
            }
            catch (Exception e) when (e is CommandRejectedException or CapacityException)
            {
                ReconcileLog.Rejected(_logger, pending.Command, e.Message);
                pending.Complete(CommandOutcome.Failed(e.Message));
                rejected = true;
            }
        }

        if (rejected)
        {
            // A refused command may have taken ids before it gave up: count them from the states again.
            _ids = IdAllocator.From(next);
        }

        if (changed.Count == 0)
        {
            return;
        }

        var failure = await ChangeAsync(committed, next, cancellationToken);
        if (failure is null)
        {
            foreach (var pending in changed)
            {
                pending.Complete(CommandOutcome.Applied);
            }

            if (_logger.IsEnabled(LogLevel.Information))
            {
                foreach (var pending in changed)
                {
                    ReconcileLog.Applied(_logger, pending.Command, changed.Count, _lastUpdates, _lastWrites);
                }
            }
            return;
        }

        // Nothing of the batch is kept. A lone request owns the failure; in a batch, find the culprit.
        Rebuild(committed);
        if (changed.Count == 1 || failure.Value.Unavailable)
        {
            foreach (var pending in changed)
            {
                ReconcileLog.Failed(_logger, pending.Command, failure.Value.Message);
                pending.Complete(CommandOutcome.Failed(failure.Value.Message));
            }

            return;
        }

        foreach (var pending in changed)
        {
            await ProcessAsync([pending], cancellationToken);
        }
    }

    /// <summary>Writes the changes from <paramref name="committed"/> to <paramref name="next"/> and commits; null when done, else why nothing was kept.</summary>
    private async Task<Failure?> ChangeAsync(ManagerState committed, ManagerState next, CancellationToken cancellationToken)
    {
        IReadOnlyList<EntityChange> changes;
        try
        {
            changes = _desired.Apply(committed, next);
        }
        catch (CapacityException e)
        {
            return new Failure(e.Message, false);
        }

        var phases = UpdatePlan.Phases(changes, _tables);
        var applied = new List<EntityChange>(changes.Count);
        foreach (var phase in phases)
        {
            try
            {
                await _session.WriteAsync([.. phase.Select(c => c.ToUpdate())], cancellationToken);
                applied.AddRange(phase);
            }
            catch (P4RuntimeException e)
            {
                var first = -1;
                for (var i = 0; i < phase.Count && i < e.UpdateStatuses.Count; i++)
                {
                    if (e.UpdateStatuses[i].IsOk)
                    {
                        applied.Add(phase[i]);
                    }
                    else
                    {
                        _metrics.P4Error(e.UpdateStatuses[i].Code);
                        first = first < 0 ? i : first;
                    }
                }

                if (first < 0)
                {
                    _metrics.P4Error(e.Code);
                }

                if (e.UpdateStatuses.Any(u => u.Code is StatusCode.AlreadyExists or StatusCode.NotFound))
                {
                    // The target holds what the manager did not put there, or lost what it did: repair it.
                    _work.Writer.TryWrite(new ReconcileWork("the target differed from the desired state"));
                }

                var message = first >= 0
                    ? $"{_tables.Describe(phase[first].ToUpdate().Entity)}: {phase[first].Type.ToString().ToUpperInvariant()} refused by the target: {e.UpdateStatuses[first]}"
                    : e.Message;
                await RollBackAsync(applied, message, cancellationToken);
                return new Failure(message, first < 0);
            }
        }

        try
        {
            _store.Commit(next);
        }
        catch (StoreException e)
        {
            var message = $"the change could not be saved, so it was undone: {e.Message}";
            await RollBackAsync(applied, message, cancellationToken);
            return new Failure(message, true);
        }

        _lastUpdates = changes.Count;
        _lastWrites = phases.Count;
        _metrics.Occupancy(_desired);
        return null;
    }

    private async Task RollBackAsync(List<EntityChange> applied, string reason, CancellationToken cancellationToken)
    {
        if (applied.Count == 0)
        {
            return;
        }

        _metrics.RolledBack();
        ReconcileLog.RollingBack(_logger, applied.Count, reason);
        try
        {
            foreach (var phase in UpdatePlan.Phases(applied.Select(c => c.Inverse()), _tables))
            {
                await _session.WriteAsync([.. phase.Select(c => c.ToUpdate())], cancellationToken);
            }
        }
        catch (P4RuntimeException e)
        {
            ReconcileLog.RollbackFailed(_logger, e.Message);
            ScheduleRetry("after a failed rollback", e.Message, TimeSpan.Zero);
        }
    }

    private async Task ReconcileOrRetryAsync(ReconcileWork work, CancellationToken cancellationToken)
    {
        try
        {
            if (work.PipelineReloaded)
            {
                await RecheckPortsAsync(cancellationToken);
            }

            // The pipeline may have changed with the connection, and a failed rollback leaves the entities in doubt.
            Rebuild(_store.State);
            var report = await RunReconcileAsync(work.Reason, cancellationToken);
            ReturnMemoryAfter(report);
            _retryDelay = TimeSpan.FromMilliseconds(200);
            work.Completion.TrySetResult(report);
        }
        catch (Exception e) when (e is P4RuntimeException or CapacityException or P4InfoException or StoreException)
        {
            work.Completion.TrySetException(e);
            ScheduleRetry(work.Reason, e.Message);
        }
    }

    /// <summary>Reads everything the manager owns on the target and writes what differs from the desired entities.</summary>
    private async Task<ReconcileReport> RunReconcileAsync(string reason, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var comparison = _desired.Compare();
        await _session.ReadAsync(
            _tables.OwnedFilters(),
            entity =>
            {
                var key = EntityKey.Of(entity);
                if (_tables.Owns(key))
                {
                    comparison.Observe(key, entity);
                }
            },
            cancellationToken);
        var changes = comparison.Finish();
        int missing = 0, stale = 0, wrong = 0;
        var listed = 0;
        foreach (var change in changes)
        {
            var kind = change.Type switch
            {
                Update.Types.Type.Insert => "missing, written:",
                Update.Types.Type.Delete => "stale, deleted:",
                _ => "wrong, modified:",
            };
            _ = change.Type switch
            {
                Update.Types.Type.Insert => missing++,
                Update.Types.Type.Delete => stale++,
                _ => wrong++,
            };
            var entity = _tables.Describe((change.After ?? change.Before)!); // a change has one or the other
            if (listed++ < RepairsListed)
            {
                ReconcileLog.Repair(_logger, kind, entity);
            }
            else
            {
                ReconcileLog.RepairDetail(_logger, kind, entity);
            }
        }

        if (listed > RepairsListed)
        {
            ReconcileLog.MoreRepairs(_logger, listed - RepairsListed);
        }

        P4RuntimeException? failed = null;
        foreach (var phase in UpdatePlan.Phases(changes, _tables))
        {
            try
            {
                await _session.WriteAsync([.. phase.Select(c => c.ToUpdate())], cancellationToken);
            }
            catch (P4RuntimeException e)
            {
                // Write the other phases too: each repair that can be made now is one less later.
                failed ??= e;
                _metrics.P4Error(e.Code);
            }
        }

        var elapsed = (long)_time.GetElapsedTime(started).TotalMilliseconds;
        _metrics.Reconciled(failed is null, missing, stale, wrong);
        if (failed is not null)
        {
            throw failed;
        }

        ReconcileLog.Reconciled(_logger, reason, _desired.Count, comparison.Present, missing, stale, wrong, elapsed);
        _metrics.Occupancy(_desired);
        return new ReconcileReport(_desired.Count, comparison.Present, missing, stale, wrong, TimeSpan.FromMilliseconds(elapsed));
    }

    /// <summary>
    /// A restarted target may number its ports anew: asks it again for the port of every interface the
    /// state routes to, and commits the new numbers before the replay writes them.
    /// </summary>
    private async Task RecheckPortsAsync(CancellationToken cancellationToken)
    {
        if (_ports is null)
        {
            return;
        }

        var state = _store.State;
        var endpoints = state.Endpoints;
        var host = state.Host;
        foreach (var group in state.Endpoints.Values.Where(e => e.InterfaceName.Length > 0).GroupBy(e => e.InterfaceName, StringComparer.Ordinal))
        {
            uint port;
            try
            {
                port = await _ports.PortIdAsync(group.Key, cancellationToken);
            }
            catch (PortLookupException e)
            {
                ReconcileLog.PortRecheckFailed(_logger, group.Key, group.First().PortId, e.Message);
                continue;
            }

            foreach (var endpoint in group.Where(e => e.PortId != port))
            {
                ReconcileLog.PortMoved(_logger, group.Key, endpoint.PortId, port);
                endpoints = endpoints.SetItem(endpoint.Ip, endpoint with { PortId = port });
            }

            if (host is not null && host.Name == group.Key && host.PortId != port)
            {
                host = host with { PortId = port };
            }
        }

        if (!ReferenceEquals(endpoints, state.Endpoints) || !ReferenceEquals(host, state.Host))
        {
            _store.Commit(state with { Endpoints = endpoints, Host = host });
        }
    }

    /// <summary>
    /// After a node's worth of entities was read (and maybe written) once, gives the memory of that
    /// burst back rather than keeping it committed for the daemon's lifetime. Called once the
    /// reconcile's own references are gone.
    /// </summary>
    private static void ReturnMemoryAfter(ReconcileReport report)
    {
        if (report.Present + report.Repairs > LargeReconcile)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }
    }

    private void OnReconnected(object? sender, P4ReconnectedEventArgs e)
    {
        _metrics.Reconnected(e.PipelineReloaded);
        _work.Writer.TryWrite(new ReconcileWork(e.PipelineReloaded ? "the target reloaded its pipeline" : "reconnected", e.PipelineReloaded));
    }

    private void ScheduleRetry(string reason, string problem, TimeSpan? delay = null)
    {
        var wait = delay ?? _retryDelay;
        _retryDelay = TimeSpan.FromTicks(Math.Min(_retryDelay.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
        ReconcileLog.ReconcileFailed(_logger, reason, wait, problem);
        _ = RetryLaterAsync(reason, wait);
    }

    private async Task RetryLaterAsync(string reason, TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, _time);
            _work.Writer.TryWrite(new ReconcileWork("retry " + reason));
        }
        catch (ObjectDisposedException)
        {
            // Stopped meanwhile.
        }
    }

    /// <summary>Entities and ids from <paramref name="state"/>, with the tables of the target's current pipeline.</summary>
    private void Rebuild(ManagerState state)
    {
        _tables = new K8sDpTables(_session.Pipeline);
        _desired = DesiredEntities.Build(_tables, state);
        _ids = IdAllocator.From(state);
        _metrics.Occupancy(_desired);
    }

    private readonly record struct Failure(string Message, bool Unavailable);

    private abstract class Work
    {
        public abstract void Abandon(string reason);
    }

    private sealed class PendingCommand(StateCommand command) : Work
    {
        public StateCommand Command { get; } = command;

        public TaskCompletionSource<CommandOutcome> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Complete(CommandOutcome outcome) => Completion.TrySetResult(outcome);

        public override void Abandon(string reason) => Completion.TrySetResult(CommandOutcome.Failed(reason));
    }

    private sealed class ReconcileWork(string reason, bool pipelineReloaded = false) : Work
    {
        public string Reason { get; } = reason;

        public bool PipelineReloaded { get; } = pipelineReloaded;

        public TaskCompletionSource<ReconcileReport> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void Abandon(string reason) => Completion.TrySetCanceled();
    }
}
