using System.Diagnostics;
using System.Globalization;
using DaemonHost.Configuration;
using DaemonHost.Tls;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using P4Pipeline;
using Proto.P4.V1;

namespace InfraManager.P4;

/// <summary>
/// The manager's one P4Runtime client session with the target (infrap4d or SoftTarget), and its one
/// writer.
/// <para>
/// Start: Capabilities, then a StreamChannel with MasterArbitrationUpdate{device_id, election_id}
/// (election id high 0, low the Unix time in milliseconds, so a restarted manager out-ranks its
/// predecessor), a bounded wait to be told primary, then the pipeline: adopted when the target
/// already has one, otherwise loaded with VERIFY_AND_COMMIT from P4InfoPath and p4BinPath.
/// </para>
/// <para>
/// When the stream ends or fails, or another controller becomes primary, the session reconnects by
/// itself (back-off from 100 ms doubling to 5 s), re-arbitrates, re-checks the pipeline (loading it
/// again if the target lost it) and raises <see cref="Reconnected"/> so that desired state can be
/// replayed.
/// </para>
/// <para>
/// Writes and reads issued while the session is not primary wait up to
/// <see cref="P4SessionTimeouts.Ready"/> for it to come back, then fail with a
/// <see cref="P4RuntimeException"/> of code UNAVAILABLE. A Write in flight when the connection breaks
/// fails too and is not retried: its outcome is unknown, and the caller replays desired state once
/// <see cref="Reconnected"/> fires.
/// </para>
/// </summary>
internal sealed partial class P4RuntimeSession : BackgroundService, IAsyncDisposable
{
    /// <summary>Updates per WriteRequest; a larger batch is sent as several requests, in order.</summary>
    public const int MaxUpdatesPerWrite = 1000;

    private readonly P4TargetLink _link;
    private readonly ulong _deviceId;
    private readonly string _p4InfoPath;
    private readonly string _p4BinPath;
    private readonly P4SessionTimeouts _timeouts;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ReloadingTlsMaterial? _tls;
    private readonly GrpcChannel _channel;
    private readonly P4Runtime.P4RuntimeClient _client;
    private readonly Uint128 _electionId;
    private readonly SemaphoreSlim _writer = new(1, 1);
    private readonly Lock _gate = new();

    // Guarded by _gate: the connection writes go to, completed while it is primary with a pipeline.
    private TaskCompletionSource<Connection> _ready = NewReady();
    private Connection? _current;
    private bool _stopped;

    private P4Program? _program;
    private volatile string _lastProblem = "not started";
    private string? _serverVersion;

    public P4RuntimeSession(P4RuntimeOptions options, P4SessionTimeouts timeouts, TimeProvider time, ILogger<P4RuntimeSession> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeouts);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _link = options.P4RuntimeLink();
        _deviceId = options.DeviceId;
        _p4InfoPath = options.P4InfoPath;
        _p4BinPath = options.P4BinPath;
        _timeouts = timeouts;
        _time = time;
        _logger = logger;
        _tls = _link.Tls.Mode == TlsMode.Insecure ? null : new ReloadingTlsMaterial(_link.Tls, time, logger);
        _channel = GrpcChannels.Create(_link.Address.ToString(), _tls, new GrpcChannelOptions
        {
            ThrowOperationCanceledOnCancellation = true,
            // A Read of large tables may come back as one message (SoftTarget sends 1000 entities per message).
            MaxReceiveMessageSize = 256 * 1024 * 1024,
        });
        _client = new P4Runtime.P4RuntimeClient(_channel);
        _electionId = new Uint128 { High = 0, Low = (ulong)time.GetUtcNow().ToUnixTimeMilliseconds() };
    }

    /// <summary>
    /// Raised (on the session's own loop, after writes are allowed again) each time the session is
    /// primary again after losing its stream or the target. Handlers should only hand the news to
    /// their own loop; an exception from one is logged.
    /// </summary>
    public event EventHandler<P4ReconnectedEventArgs>? Reconnected;

    public HostPort Address => _link.Address;

    public ulong DeviceId => _deviceId;

    public UInt128 ElectionId => ToUInt128(_electionId);

    /// <summary>The P4Info of the target's pipeline, by name and id (kept while reconnecting).</summary>
    public P4InfoIndex Pipeline
    {
        get
        {
            lock (_gate)
            {
                return (_current ?? throw new InvalidOperationException("the P4Runtime session has not started")).Index;
            }
        }
    }

    /// <summary>True when the last (re)connection found the target without a pipeline and loaded it: the target holds no state.</summary>
    public bool PipelineFreshlyLoaded
    {
        get
        {
            lock (_gate)
            {
                return (_current ?? throw new InvalidOperationException("the P4Runtime session has not started")).PipelineLoaded;
            }
        }
    }

    /// <summary>Primary with a pipeline: a Write now goes straight out.</summary>
    public bool IsReady
    {
        get
        {
            lock (_gate)
            {
                return _ready.Task.IsCompletedSuccessfully && _current is { IsLost: false };
            }
        }
    }

    /// <summary>
    /// Reads the program files, then connects, retrying while the target is unreachable or another
    /// controller is primary, for up to <see cref="P4SessionTimeouts.Start"/>.
    /// </summary>
    /// <exception cref="DaemonConfigurationException">P4InfoPath cannot be read or is not a usable P4Info.</exception>
    /// <exception cref="TimeoutException">The target was not ready in time; the message says why.</exception>
    /// <exception cref="P4RuntimeException">The target refused us for good (unknown device, pipeline rejected...).</exception>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        _program = await P4Program.LoadAsync(_p4InfoPath, _p4BinPath, _logger, cancellationToken);
        P4Log.Starting(_logger, _link, _deviceId, ElectionId);
        var deadline = _time.GetUtcNow() + _timeouts.Start;
        var delay = _timeouts.InitialBackoff;
        while (true)
        {
            try
            {
                await ConnectAsync(cancellationToken);
                break;
            }
            catch (P4RuntimeException e) when (!IsTransient(e))
            {
                // A refusal that waiting will not change (unknown device, pipeline rejected): one line, exit 2.
                throw new DaemonHost.DaemonStartException($"P4Runtime target {_link.Address}: {e.Message}", e);
            }
            catch (Exception e) when (IsTransient(e) && !cancellationToken.IsCancellationRequested)
            {
                _lastProblem = Describe(e);
                if (_time.GetUtcNow() + delay > deadline)
                {
                    throw new TimeoutException($"P4Runtime target {_link.Address}: not ready within {Seconds(_timeouts.Start)}: {_lastProblem}", e);
                }

                P4Log.ConnectFailed(_logger, _link.Address, _lastProblem, delay);
            }

            await Task.Delay(delay, _time, cancellationToken);
            delay = _timeouts.NextBackoff(delay);
        }

        await base.StartAsync(cancellationToken);
    }

    /// <summary>Stops reconnecting and closes the stream; writes still waiting fail with UNAVAILABLE. Entries stay on the target.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        Connection? current;
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }

            _stopped = true;
            current = _current;
            if (_ready.Task.IsCompleted)
            {
                _ready = NewReady();
            }

            _ready.TrySetException(new P4RuntimeException(StatusCode.Unavailable, $"the P4Runtime session to {_link.Address} is stopped"));
        }

        if (current is not null)
        {
            await current.CloseAsync(_timeouts.Rpc);
        }

        P4Log.Stopped(_logger, _link.Address);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None);
        Dispose();
    }

    public override void Dispose()
    {
        base.Dispose();
        Connection? current;
        lock (_gate)
        {
            current = _current;
        }

        current?.Dispose();
        _channel.Dispose();
        _tls?.Dispose();
        // _writer stays: a writer still queued on it must be able to finish (it fails: the session is stopped).
    }

    /// <summary>
    /// Sends <paramref name="updates"/> in order, <see cref="MaxUpdatesPerWrite"/> per WriteRequest
    /// (CONTINUE_ON_ERROR: each update stands alone). Returns when every update was applied.
    /// </summary>
    /// <exception cref="P4RuntimeException">
    /// Some updates failed: <see cref="P4RuntimeException.UpdateStatuses"/> says which and why. After a
    /// request fails as a whole (UNAVAILABLE, PERMISSION_DENIED...) the later requests are not sent and
    /// their updates carry that code too.
    /// </exception>
    public async Task WriteAsync(IReadOnlyList<Update> updates, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(updates);
        if (updates.Count == 0)
        {
            return;
        }

        await _writer.WaitAsync(cancellationToken);
        try
        {
            var statuses = new P4UpdateStatus[updates.Count];
            Array.Fill(statuses, P4UpdateStatus.Ok);
            var requests = (updates.Count + MaxUpdatesPerWrite - 1) / MaxUpdatesPerWrite;
            var failed = 0;
            for (var number = 1; number <= requests; number++)
            {
                var start = (number - 1) * MaxUpdatesPerWrite;
                var count = Math.Min(MaxUpdatesPerWrite, updates.Count - start);
                try
                {
                    await WaitReadyAsync(cancellationToken);
                }
                catch (P4RuntimeException e)
                {
                    Array.Fill(statuses, new P4UpdateStatus(e.Code, "not sent: " + e.Message), start, updates.Count - start);
                    throw new P4RuntimeException(e.Code, $"Write to {_link.Address}: {e.Message}", statuses, e);
                }

                var request = new WriteRequest { DeviceId = _deviceId, ElectionId = _electionId, Atomicity = WriteRequest.Types.Atomicity.ContinueOnError };
                for (var i = start; i < start + count; i++)
                {
                    request.Updates.Add(updates[i]);
                }

                P4Log.WriteRequest(_logger, number, requests, count);
                try
                {
                    await _client.WriteAsync(request, deadline: Deadline(_timeouts.Write), cancellationToken: cancellationToken);
                }
                catch (RpcException e) when (PerUpdateErrors(e, count) is { } errors)
                {
                    for (var i = 0; i < count; i++)
                    {
                        statuses[start + i] = errors[i];
                        failed += errors[i].IsOk ? 0 : 1;
                    }
                }
                catch (RpcException e)
                {
                    Array.Fill(statuses, new P4UpdateStatus(e.StatusCode, $"request {number} of {requests} failed: {RpcErrors.Describe(e)}"), start, count);
                    Array.Fill(statuses, new P4UpdateStatus(e.StatusCode, $"not sent: request {number} of {requests} failed"), start + count, updates.Count - start - count);
                    throw new P4RuntimeException(e.StatusCode, $"Write to {_link.Address}: request {number} of {requests} failed: {RpcErrors.Describe(e)}", statuses, e);
                }
            }

            if (failed > 0)
            {
                var first = Array.FindIndex(statuses, s => !s.IsOk);
                P4Log.WriteFailed(_logger, failed, updates.Count, first, statuses[first]);
                throw new P4RuntimeException(
                    StatusCode.Unknown,
                    $"Write to {_link.Address}: {failed} of {updates.Count} updates failed; first: update {first}: {statuses[first]}",
                    statuses);
            }
        }
        finally
        {
            _writer.Release();
        }
    }

    /// <summary>Reads every entity the filters match (zero fields are wildcards), all responses of the stream.</summary>
    /// <exception cref="P4RuntimeException">The target refused the read or cannot be reached.</exception>
    public async Task<IReadOnlyList<Entity>> ReadAsync(IReadOnlyList<Entity> filters, CancellationToken cancellationToken)
    {
        var entities = new List<Entity>();
        await ReadAsync(filters, entities.Add, cancellationToken);
        return entities;
    }

    /// <summary>Hands each entity the filters match to <paramref name="onEntity"/> as its response arrives, so a large read is never held whole.</summary>
    /// <exception cref="P4RuntimeException">The target refused the read or cannot be reached.</exception>
    public async Task ReadAsync(IReadOnlyList<Entity> filters, Action<Entity> onEntity, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filters);
        ArgumentNullException.ThrowIfNull(onEntity);
        await WaitReadyAsync(cancellationToken);
        var request = new ReadRequest { DeviceId = _deviceId };
        request.Entities.AddRange(filters);
        try
        {
            using var call = _client.Read(request, deadline: Deadline(_timeouts.Read), cancellationToken: cancellationToken);
            await foreach (var response in call.ResponseStream.ReadAllAsync(cancellationToken))
            {
                foreach (var entity in response.Entities)
                {
                    onEntity(entity);
                }
            }
        }
        catch (RpcException e)
        {
            throw new P4RuntimeException(e.StatusCode, $"Read from {_link.Address}: {RpcErrors.Describe(e)}", innerException: e);
        }
    }

    /// <summary>The loop that brings the session back whenever its connection is lost.</summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Connection connection;
        lock (_gate)
        {
            // StartAsync published the first connection before it started this loop.
            connection = _current ?? throw new InvalidOperationException("the P4Runtime session has no connection");
        }

        try
        {
            while (true)
            {
                var loss = await connection.Lost.Task.WaitAsync(stoppingToken);
                _lastProblem = $"{loss.Code}: {loss.Reason}";
                P4Log.ConnectionLost(_logger, _link.Address, loss.Code, loss.Reason);
                connection.Dispose();
                connection = await ReconnectAsync(stoppingToken);
                P4Log.Reconnected(_logger, _link.Address, connection.PipelineLoaded);
                RaiseReconnected(connection.PipelineLoaded);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: StopAsync closes the stream.
        }
    }

    private async Task<Connection> ReconnectAsync(CancellationToken cancellationToken)
    {
        var delay = _timeouts.InitialBackoff;
        while (true)
        {
            try
            {
                return await ConnectAsync(cancellationToken);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                // The top of the reconnect loop: every failure is retried, the target may come back.
                _lastProblem = Describe(e);
                P4Log.ConnectFailed(_logger, _link.Address, _lastProblem, delay);
            }

            await Task.Delay(delay, _time, cancellationToken);
            delay = _timeouts.NextBackoff(delay);
        }
    }

    /// <summary>One attempt: Capabilities, StreamChannel and arbitration, the pipeline; then the connection is published.</summary>
    private async Task<Connection> ConnectAsync(CancellationToken cancellationToken)
    {
        var capabilities = await Invoke("Capabilities", () => _client.CapabilitiesAsync(new CapabilitiesRequest(), deadline: Deadline(_timeouts.Rpc), cancellationToken: cancellationToken).ResponseAsync);
        if (capabilities.P4RuntimeApiVersion != _serverVersion)
        {
            // Once, and again only if it changes: a backup re-arbitrating would say it every few seconds.
            _serverVersion = capabilities.P4RuntimeApiVersion;
            P4Log.ServerVersion(_logger, _serverVersion, _link.Address);
        }

        var connection = new Connection(_client);
        try
        {
            connection.Reader = ReadStreamAsync(connection);
            try
            {
                await connection.Call.RequestStream.WriteAsync(
                    new StreamMessageRequest { Arbitration = new MasterArbitrationUpdate { DeviceId = _deviceId, ElectionId = _electionId } },
                    cancellationToken);
            }
            catch (Exception e) when (e is RpcException or InvalidOperationException or IOException)
            {
                throw new P4RuntimeException(StatusCode.Unavailable, $"StreamChannel: cannot send the arbitration update: {e.Message}", innerException: e);
            }

            await WaitPrimaryAsync(connection, cancellationToken);
            (connection.Index, connection.PipelineLoaded) = await EnsurePipelineAsync(cancellationToken);
            Publish(connection);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private async Task WaitPrimaryAsync(Connection connection, CancellationToken cancellationToken)
    {
        try
        {
            await Task.WhenAny(connection.Primary.Task, connection.Lost.Task).WaitAsync(_timeouts.Primary, _time, cancellationToken);
        }
        catch (TimeoutException e)
        {
            var told = connection.LastArbitration;
            throw told is null
                ? new P4RuntimeException(StatusCode.DeadlineExceeded, $"StreamChannel: no arbitration answer within {Seconds(_timeouts.Primary)}", innerException: e)
                : new P4RuntimeException(
                    StatusCode.AlreadyExists,
                    $"not primary within {Seconds(_timeouts.Primary)}: the target says {(StatusCode)(told.Status?.Code ?? 0)} '{told.Status?.Message}'; the primary holds election id {Format(told.ElectionId)}, ours is {ElectionId}",
                    innerException: e);
        }

        if (!connection.Primary.Task.IsCompleted)
        {
            var loss = await connection.Lost.Task;
            throw new P4RuntimeException(loss.Code, $"StreamChannel ended before arbitration: {loss.Reason}");
        }
    }

    /// <summary>Adopts the target's pipeline, or loads ours when it has none (true).</summary>
    private async Task<(P4InfoIndex Index, bool Loaded)> EnsurePipelineAsync(CancellationToken cancellationToken)
    {
        var program = _program ?? throw new InvalidOperationException("the P4 program files are not loaded");
        var reported = await GetPipelineAsync(cancellationToken);
        if (reported is not null)
        {
            P4InfoIndex index;
            try
            {
                index = P4InfoIndex.Build(reported.P4Info);
            }
            catch (P4InfoException e)
            {
                throw new P4RuntimeException(StatusCode.FailedPrecondition, $"the target's P4Info cannot be used: {e.Message}", innerException: e);
            }

            P4Log.PipelineAdopted(_logger, reported.P4Info.Tables.Count, reported.Cookie?.Cookie_ ?? 0);
            if (!reported.P4Info.Equals(program.P4Info))
            {
                P4Log.PipelineDiffers(_logger, _p4InfoPath);
            }

            return (index, false);
        }

        var request = new SetForwardingPipelineConfigRequest
        {
            DeviceId = _deviceId,
            ElectionId = _electionId,
            Action = SetForwardingPipelineConfigRequest.Types.Action.VerifyAndCommit,
            Config = new ForwardingPipelineConfig
            {
                P4Info = program.P4Info,
                P4DeviceConfig = program.DeviceConfig,
                Cookie = new ForwardingPipelineConfig.Types.Cookie { Cookie_ = 0 },
            },
        };
        await Invoke("SetForwardingPipelineConfig", () => _client.SetForwardingPipelineConfigAsync(request, deadline: Deadline(_timeouts.SetPipeline), cancellationToken: cancellationToken).ResponseAsync);
        P4Log.PipelineLoaded(_logger, _p4InfoPath, program.DeviceConfig.Length);
        return (program.Index, true);
    }

    /// <summary>The target's pipeline, or null when it has none (the Go original loads ours on any error; we on those that mean "none").</summary>
    private async Task<ForwardingPipelineConfig?> GetPipelineAsync(CancellationToken cancellationToken)
    {
        var request = new GetForwardingPipelineConfigRequest { DeviceId = _deviceId, ResponseType = GetForwardingPipelineConfigRequest.Types.ResponseType.P4InfoAndCookie };
        try
        {
            var reply = await _client.GetForwardingPipelineConfigAsync(request, deadline: Deadline(_timeouts.Rpc), cancellationToken: cancellationToken);
            if (reply.Config?.P4Info is { Tables.Count: > 0 })
            {
                return reply.Config;
            }

            P4Log.NoPipeline(_logger, StatusCode.OK, "GetForwardingPipelineConfig returned no P4Info");
            return null;
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.FailedPrecondition or StatusCode.NotFound or StatusCode.Unknown)
        {
            P4Log.NoPipeline(_logger, e.StatusCode, e.Status.Detail);
            return null;
        }
        catch (RpcException e)
        {
            throw new P4RuntimeException(e.StatusCode, $"GetForwardingPipelineConfig: {RpcErrors.Describe(e)}", innerException: e);
        }
    }

    private void Publish(Connection connection)
    {
        lock (_gate)
        {
            if (_stopped)
            {
                throw new OperationCanceledException("the P4Runtime session is stopped");
            }

            if (connection.IsLost)
            {
                throw new P4RuntimeException(StatusCode.Unavailable, "the stream ended while the pipeline was checked");
            }

            _current = connection;
            Debug.Assert(!_ready.Task.IsCompleted, "a connection is published only after the previous one was lost");
            _ready.TrySetResult(connection);
        }
    }

    private void MarkLost(Connection connection, Loss loss)
    {
        lock (_gate)
        {
            if (connection.IsLost)
            {
                return;
            }

            connection.IsLost = true;
            if (ReferenceEquals(_current, connection) && !_stopped)
            {
                // From now on writers wait for the next connection.
                _ready = NewReady();
            }
        }

        connection.Lost.TrySetResult(loss);
    }

    /// <summary>The connection to send on, waiting (bounded) while the session reconnects.</summary>
    private async Task WaitReadyAsync(CancellationToken cancellationToken)
    {
        var deadline = _time.GetUtcNow() + _timeouts.Ready;
        while (true)
        {
            Task<Connection> ready;
            lock (_gate)
            {
                ready = _ready.Task;
            }

            var remaining = deadline - _time.GetUtcNow();
            Connection connection;
            try
            {
                connection = await ready.WaitAsync(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, _time, cancellationToken);
            }
            catch (TimeoutException e)
            {
                throw new P4RuntimeException(
                    StatusCode.Unavailable,
                    $"the P4Runtime target {_link.Address} is not available (waited {Seconds(_timeouts.Ready)}; last problem: {_lastProblem})",
                    innerException: e);
            }

            // Lost after it was handed out: _ready was replaced under the same lock, wait for the next one.
            if (!connection.IsLost)
            {
                return;
            }
        }
    }

    private async Task ReadStreamAsync(Connection connection)
    {
        var loss = new Loss(StatusCode.Unavailable, "the target ended the stream");
        try
        {
            await foreach (var message in connection.Call.ResponseStream.ReadAllAsync(connection.Closing))
            {
                switch (message.UpdateCase)
                {
                    case StreamMessageResponse.UpdateOneofCase.Arbitration:
                        if (OnArbitration(connection, message.Arbitration) is { } demoted)
                        {
                            loss = demoted;
                            return;
                        }

                        break;
                    case StreamMessageResponse.UpdateOneofCase.Error:
                        P4Log.StreamError(_logger, message.Error.CanonicalCode, message.Error.Message);
                        break;
                    default:
                        P4Log.StreamMessageIgnored(_logger, message.UpdateCase);
                        break;
                }
            }
        }
        catch (Exception e) when (connection.Closing.IsCancellationRequested && e is OperationCanceledException or RpcException)
        {
            loss = new Loss(StatusCode.Cancelled, "closed by the manager");
        }
        catch (RpcException e)
        {
            loss = new Loss(e.StatusCode, $"StreamChannel failed: {RpcErrors.Describe(e)}");
        }
        catch (Exception e)
        {
            // The top of the stream's loop: whatever ends it, the session must hear of it.
            P4Log.StreamReaderFailed(_logger, e);
            loss = new Loss(StatusCode.Internal, $"the stream reader failed: {e.Message}");
        }
        finally
        {
            MarkLost(connection, loss);
        }
    }

    /// <summary>Applies an arbitration update; returns the loss when it takes the primary role away from us.</summary>
    private Loss? OnArbitration(Connection connection, MasterArbitrationUpdate update)
    {
        connection.LastArbitration = update;
        // A missing status reads as code 0, as in the Go client.
        var code = (StatusCode)(update.Status?.Code ?? 0);
        if (code == StatusCode.OK)
        {
            if (connection.Primary.TrySetResult())
            {
                P4Log.Primary(_logger, _deviceId, ElectionId);
            }

            return null;
        }

        var primary = Format(update.ElectionId);
        if (connection.Primary.Task.IsCompleted)
        {
            P4Log.Demoted(_logger, primary);
            return new Loss(code, $"another controller became primary (election id {primary})");
        }

        P4Log.Backup(_logger, code, update.Status?.Message ?? string.Empty, primary);
        return null;
    }

    private void RaiseReconnected(bool pipelineReloaded)
    {
        if (Reconnected is not { } handlers)
        {
            return;
        }

        var args = new P4ReconnectedEventArgs(pipelineReloaded);
        foreach (var handler in handlers.GetInvocationList().Cast<EventHandler<P4ReconnectedEventArgs>>())
        {
            try
            {
                handler(this, args);
            }
            catch (Exception e)
            {
                // One bad subscriber must not stop the session or the others.
                P4Log.ReconnectedHandlerFailed(_logger, e);
            }
        }
    }

    private static async Task<T> Invoke<T>(string method, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (RpcException e)
        {
            throw new P4RuntimeException(e.StatusCode, $"{method}: {RpcErrors.Describe(e)}", innerException: e);
        }
    }

    /// <summary>The per-update p4.v1.Error details of a failed Write, or null when the status carries none for each update.</summary>
    private static P4UpdateStatus[]? PerUpdateErrors(RpcException exception, int count)
    {
        Google.Rpc.Status? status;
        try
        {
            status = exception.GetRpcStatus();
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }

        if (status is null || status.Details.Count != count)
        {
            return null;
        }

        var errors = new P4UpdateStatus[count];
        for (var i = 0; i < count; i++)
        {
            if (!status.Details[i].TryUnpack<Error>(out var error))
            {
                return null;
            }

            errors[i] = new P4UpdateStatus((StatusCode)error.CanonicalCode, error.Message);
        }

        return errors;
    }

    private static bool IsTransient(Exception exception) => exception switch
    {
        P4RuntimeException e => IsTransient(e.Code),
        RpcException e => IsTransient(e.StatusCode),
        _ => false,
    };

    // Worth another try: the target is starting, restarting, busy, or another controller is primary for now.
    private static bool IsTransient(StatusCode code) => code is StatusCode.Unavailable or StatusCode.DeadlineExceeded
        or StatusCode.AlreadyExists or StatusCode.Aborted or StatusCode.ResourceExhausted or StatusCode.Internal or StatusCode.Unknown;

    private static string Describe(Exception exception) => exception switch
    {
        RpcException e => RpcErrors.Describe(e),
        _ => exception.Message,
    };

    private DateTime Deadline(TimeSpan timeout) => (_time.GetUtcNow() + timeout).UtcDateTime;

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";

    private static UInt128 ToUInt128(Uint128 id) => ((UInt128)id.High << 64) | id.Low;

    private static string Format(Uint128? id) => id is null ? "none" : ToUInt128(id).ToString(CultureInfo.InvariantCulture);

    private static TaskCompletionSource<Connection> NewReady() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private readonly record struct Loss(StatusCode Code, string Reason);
}
