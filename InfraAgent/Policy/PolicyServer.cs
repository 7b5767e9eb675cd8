using System.Collections.Concurrent;
using System.Net.Sockets;
using Grpc.Core;
using Proto.Felix;
using Case = Proto.Felix.ToDataplane.PayloadOneofCase;

namespace InfraAgent.Policy;

/// <summary>
/// The Felix socket (reference-behaviour.md 6.9): felix-api-proxy joins Felix's external-dataplane pipes to it.
/// Any number of connections, one after another or at once, each read on its own; a connection's messages go to
/// the manager one at a time, in Felix's order (an IP set before the policy that names it). A message the
/// manager refuses is logged and counted and the next one follows; while the manager is unreachable the
/// message is retried with back-off, so nothing is lost across a manager restart. A bad frame ends only its
/// connection. The Go agent served one connection per lifetime and hid successful=false replies.
/// </summary>
internal sealed class PolicyServer : BackgroundService
{
    private static readonly TimeSpan s_callTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan s_initialBackoff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan s_maxBackoff = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan s_acceptBackoff = TimeSpan.FromMilliseconds(200);

    private readonly string _path;
    private readonly FelixRelayClient _relay;
    private readonly FelixItems _items;
    private readonly PolicyMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<PolicyServer> _logger;
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _connections;

    public PolicyServer(AgentOptions options, FelixRelayClient relay, FelixItems items, PolicyMetrics metrics, TimeProvider time, ILogger<PolicyServer> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _path = options.FelixSocket;
        _relay = relay;
        _items = items;
        _metrics = metrics;
        _time = time;
        _logger = logger;
    }

    /// <summary>Completes once the socket accepts connections (faults if it cannot be made).</summary>
    public Task Listening => _listening.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_path)!); // the validator made it an absolute file path
            File.Delete(_path); // a previous agent's socket file, left by a crash, makes bind fail
            listener.Bind(new UnixDomainSocketEndPoint(_path));
            listener.Listen(16);
        }
        catch (Exception e)
        {
            _listening.TrySetException(e);
            throw;
        }

        PolicyLog.Listening(_logger, _path);
        _listening.TrySetResult();
        var connections = new ConcurrentDictionary<long, Task>();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                Socket socket;
                try
                {
                    socket = await listener.AcceptAsync(stoppingToken);
                }
                catch (SocketException e)
                {
                    // Out of descriptors, say: the listener itself is fine, so keep it.
                    PolicyLog.AcceptFailed(_logger, _path, e);
                    await Task.Delay(s_acceptBackoff, _time, stoppingToken);
                    continue;
                }

                var id = Interlocked.Increment(ref _connections);
                var connection = ServeAsync(socket, id, stoppingToken);
                connections[id] = connection;
                _ = connection.ContinueWith(_ => connections.TryRemove(id, out Task? _), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            listener.Dispose();
            File.Delete(_path);
            await Task.WhenAll(connections.Values);
        }
    }

    private async Task ServeAsync(Socket socket, long id, CancellationToken stoppingToken)
    {
        await Task.Yield(); // the accept loop goes on at once
        var messages = 0L;
        // Closed after the catch blocks: what went wrong is logged before the peer sees the connection end.
        await using var stream = new NetworkStream(socket, ownsSocket: true);
        try
        {
            var reader = new FelixFrameReader(stream);
            PolicyLog.Connected(_logger, id);
            // What this connection's sync sent, until its InSync; null after.
            HashSet<string>? sent = new(StringComparer.Ordinal);
            while (await reader.ReadAsync(stoppingToken) is { } message)
            {
                messages++;
                if (sent is not null && FelixItems.ItemOf(message) is { Removes: false } item)
                {
                    sent.Add(item.Item);
                }

                if (await RelayAsync(message, stoppingToken))
                {
                    // A sync's items are written at its InSync, not one file write per message.
                    _items.Took(message, persist: sent is null);
                }

                if (sent is not null && message.PayloadCase == Case.InSync)
                {
                    _items.Persist();
                    foreach (var removal in _items.Stale(sent))
                    {
                        removal.SequenceNumber = message.SequenceNumber;
                        var stale = FelixPayload.Of(removal);
                        PolicyLog.StaleItem(_logger, message.SequenceNumber, stale);
                        if (await RelayAsync(removal, stoppingToken))
                        {
                            _items.Took(removal, persist: true);
                        }
                    }

                    sent = null;
                }
            }

            PolicyLog.Closed(_logger, id, messages);
            _metrics.ConnectionEnded("closed");
        }
        catch (FelixFrameException e)
        {
            PolicyLog.BadFrame(_logger, id, e.Message);
            _metrics.ConnectionEnded("bad_frame");
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            _metrics.ConnectionEnded("stopped");
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            PolicyLog.ConnectionFailed(_logger, id, messages, e.Message);
            _metrics.ConnectionEnded("failed");
        }
    }

    /// <summary>Relays one message; true when the manager answered it (done or refused: either way it holds what it recorded), false when there is nothing to relay.</summary>
    private async Task<bool> RelayAsync(ToDataplane message, CancellationToken stoppingToken)
    {
        var payload = FelixPayload.Of(message);
        var sequence = message.SequenceNumber;
        if (_relay.RpcFor(message) is not { } rpc)
        {
            switch (message.PayloadCase)
            {
                case Case.InSync:
                    PolicyLog.InSync(_logger, sequence);
                    break;
                case Case.ConfigUpdate:
                    PolicyLog.Config(_logger, sequence, message.ConfigUpdate.Config.Count);
                    break;
                case Case.None:
                    PolicyLog.Unhandled(_logger, sequence, message.CalculateSize());
                    break;
                default:
                    PolicyLog.NotRelayed(_logger, sequence, payload);
                    break;
            }

            _metrics.Message(payload.Type, "logged");
            return false;
        }

        for (var attempt = 1; ; attempt++)
        {
            string error;
            try
            {
                var options = new CallOptions(deadline: _time.GetUtcNow().UtcDateTime + s_callTimeout, cancellationToken: stoppingToken);
                var reply = await rpc.Send(options);
                if (reply.Successful)
                {
                    if (attempt > 1)
                    {
                        PolicyLog.Recovered(_logger, sequence, payload, rpc.Name, attempt);
                    }
                    else
                    {
                        PolicyLog.Relayed(_logger, sequence, payload, rpc.Name);
                    }

                    _metrics.Message(payload.Type, "relayed");
                    return true;
                }

                // The manager keeps what it refused to express (it closes instead): the item stands.
                Refused(sequence, payload, rpc.Name, reply.ErrorMessage.Length > 0 ? reply.ErrorMessage : "successful=false without a reason");
                return true;
            }
            catch (RpcException) when (stoppingToken.IsCancellationRequested)
            {
                throw new OperationCanceledException(stoppingToken);
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded)
            {
                // Unreachable (restarting, say), or no answer: the update is idempotent at the manager, so send it again.
                error = $"{e.StatusCode}: {e.Status.Detail}";
            }
            catch (RpcException e)
            {
                // Rejected input: nothing of it was recorded.
                Refused(sequence, payload, rpc.Name, $"{e.StatusCode}: {e.Status.Detail}");
                return false;
            }

            var delay = TimeSpan.FromTicks(Math.Min(s_initialBackoff.Ticks << Math.Min(attempt - 1, 16), s_maxBackoff.Ticks));
            PolicyLog.Retrying(_logger, sequence, payload, rpc.Name, error, attempt, delay);
            _metrics.Retry(payload.Type);
            await Task.Delay(delay, _time, stoppingToken);
        }
    }

    private void Refused(ulong sequence, FelixPayload payload, string rpc, string error)
    {
        PolicyLog.Refused(_logger, sequence, payload, rpc, error);
        _metrics.Message(payload.Type, "refused");
    }
}
