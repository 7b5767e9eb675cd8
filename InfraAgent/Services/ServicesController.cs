using System.Threading.Channels;
using Grpc.Core;
using InfraAgent.Kubernetes;
using k8s;
using k8s.Models;
using Packets;
using Proto.Infra;

namespace InfraAgent.Services;

/// <summary>
/// Keeps the manager's service ports equal to what the Services and EndpointSlices say (core/v1
/// Endpoints on a cluster that serves no discovery.k8s.io/v1 EndpointSlices). One loop owns
/// the state: the desired translations, and what the manager acknowledged. A change sends only the
/// service ports that differ (NatTranslationAdd with the full backend list, or NatTranslationDelete),
/// at most <see cref="MaxInFlight"/> at once; failures are retried with back-off, and when the manager
/// answers again after being unreachable every service port is sent again (it may have lost them).
/// The ports sent are recorded on disk (<see cref="ServicePortRecord"/>), so after an agent restart the
/// ones whose Service went meanwhile are deleted at the manager too.
/// </summary>
internal sealed class ServicesController : BackgroundService
{
    public const int MaxInFlight = 16;
    private const string ServiceNameLabel = "kubernetes.io/service-name";
    private static readonly TimeSpan s_callTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan s_initialBackoff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan s_maxBackoff = TimeSpan.FromSeconds(30);

    private readonly ResourceInformer<V1Service, V1ServiceList> _services;
    private readonly ResourceInformer<V1EndpointSlice, V1EndpointSliceList> _slices;
    private readonly ResourceInformer<V1Endpoints, V1EndpointsList> _endpoints;
    private readonly IKubernetes _client;
    private readonly NodeNetworkClient _node;
    private readonly Proto.Infra.InfraAgent.InfraAgentClient _manager;
    private readonly ServicesMetrics _metrics;
    private readonly ServicePortRecord _record;
    private readonly TimeProvider _time;
    private readonly ILogger<ServicesController> _logger;
    private readonly Channel<Message> _inbox = Channel.CreateUnbounded<Message>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Owned by the loop in ExecuteAsync only.
    private readonly Dictionary<string, HashSet<ServiceKey>> _keysByService = new(StringComparer.Ordinal);
    private readonly Dictionary<ServiceKey, ServiceTranslation> _desired = [];
    private readonly Dictionary<ServiceKey, ServiceTranslation> _acknowledged = [];
    private readonly HashSet<ServiceKey> _dirty = [];
    private readonly HashSet<ServiceKey> _forced = [];
    private readonly HashSet<ServiceKey> _inFlight = [];
    private readonly Dictionary<ServiceKey, (int Attempts, long Due)> _retries = [];
    private readonly Dictionary<ServiceKey, long> _changeSeen = [];
    private IPv4Address? _nodeIp;
    private string _nodeName = string.Empty;
    private bool _fromEndpoints;
    private bool _managerDown;
    private long _wakeDue = long.MaxValue;

    public ServicesController(IKubernetes client, NodeNetworkClient node, Proto.Infra.InfraAgent.InfraAgentClient manager, ServicesMetrics metrics, ServicePortRecord record, TimeProvider time, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(loggers);
        _client = client;
        _node = node;
        _manager = manager;
        _metrics = metrics;
        _record = record;
        _time = time;
        _logger = loggers.CreateLogger<ServicesController>();
        _services = new ResourceInformer<V1Service, V1ServiceList>(
            "services",
            ct => client.CoreV1.ListServiceForAllNamespacesAsync(cancellationToken: ct),
            (rv, onError, ct) => client.CoreV1.WatchListServiceForAllNamespacesAsync(allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: 300, onError: onError, cancellationToken: ct),
            time,
            loggers.CreateLogger("InfraAgent.Kubernetes.ServiceInformer"));
        _slices = new ResourceInformer<V1EndpointSlice, V1EndpointSliceList>(
            "endpointslices",
            ct => client.DiscoveryV1.ListEndpointSliceForAllNamespacesAsync(cancellationToken: ct),
            (rv, onError, ct) => client.DiscoveryV1.WatchListEndpointSliceForAllNamespacesAsync(allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: 300, onError: onError, cancellationToken: ct),
            time,
            loggers.CreateLogger("InfraAgent.Kubernetes.EndpointSliceInformer"));
        _endpoints = new ResourceInformer<V1Endpoints, V1EndpointsList>(
            "endpoints",
            ct => client.CoreV1.ListEndpointsForAllNamespacesAsync(cancellationToken: ct),
            (rv, onError, ct) => client.CoreV1.WatchListEndpointsForAllNamespacesAsync(allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: 300, onError: onError, cancellationToken: ct),
            time,
            loggers.CreateLogger("InfraAgent.Kubernetes.EndpointsInformer"));
        _services.Subscribe((_, service) => Changed(ResourceInformer<V1Service, V1ServiceList>.KeyOf(service)));
        _endpoints.Subscribe((_, endpoints) => Changed(ResourceInformer<V1Endpoints, V1EndpointsList>.KeyOf(endpoints))); // named after its Service
        _slices.Subscribe((_, slice) =>
        {
            if (slice.Metadata.Labels?.TryGetValue(ServiceNameLabel, out var name) == true)
            {
                Changed(slice.Metadata.NamespaceProperty + "/" + name);
            }
        });
    }

    /// <summary>Completes once both informers listed and the first changes were queued.</summary>
    public Task Ready => _ready.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var network = await _node.GetAsync(stoppingToken);
        (_nodeIp, _nodeName) = (network.NodeIp, network.NodeName);
        _fromEndpoints = !await ServesEndpointSlicesAsync(stoppingToken);
        var informers = Task.WhenAll(_services.RunAsync(stoppingToken), _fromEndpoints ? _endpoints.RunAsync(stoppingToken) : _slices.RunAsync(stoppingToken));
        await Task.WhenAll(_services.Ready, _fromEndpoints ? _endpoints.Ready : _slices.Ready).WaitAsync(stoppingToken);
        ServicesLog.Synced(_logger, _services.Items.Count, _fromEndpoints ? _endpoints.Items.Count : _slices.Items.Count, _fromEndpoints ? "endpoints" : "endpoint slices");
        TakeOverRecordedPorts();
        _ready.TrySetResult();

        try
        {
            while (await _inbox.Reader.WaitToReadAsync(stoppingToken))
            {
                // Drain everything queued first: a burst of changes to one service costs one translation.
                var changedServices = new Dictionary<string, long>(StringComparer.Ordinal);
                while (_inbox.Reader.TryRead(out var message))
                {
                    switch (message)
                    {
                        case Message.ServiceChanged changed:
                            changedServices.TryAdd(changed.Service, changed.Seen);
                            break;
                        case Message.Completed completed:
                            Complete(completed);
                            break;
                        case Message.Wake:
                            _wakeDue = long.MaxValue;
                            break;
                    }
                }

                // After the drain: the caches already hold every change whose message was read.
                foreach (var (service, seen) in changedServices)
                {
                    Translate(service, seen);
                }

                Pump();
            }
        }
        finally
        {
            await informers.ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <summary>
    /// The service ports an earlier run of the agent sent are treated as programmed with unknown backends:
    /// the first Pump (after every listed Service was translated, as the caches were complete before the
    /// loop started) sends each one either its current backends or, when no Service wants it any more, a delete.
    /// </summary>
    private void TakeOverRecordedPorts()
    {
        foreach (var line in _record.Unreadable)
        {
            ServicesLog.RecordLineSkipped(_logger, _record.Path, line);
        }

        foreach (var key in _record.Keys)
        {
            _acknowledged[key] = new ServiceTranslation(key, []);
            _dirty.Add(key);
        }

        if (_record.Keys.Count > 0)
        {
            ServicesLog.Recorded(_logger, _record.Keys.Count, _record.Path);
            _inbox.Writer.TryWrite(new Message.Wake()); // a Pump even when no Service is left to announce itself
        }
    }

    /// <summary>
    /// Whether the API serves discovery.k8s.io/v1 EndpointSlices (Kubernetes 1.21 on): a 404 for their
    /// list means an older cluster, whose Endpoints are watched instead. Other failures (the API not
    /// reachable yet, say) are retried with back-off, as the informers would.
    /// </summary>
    private async Task<bool> ServesEndpointSlicesAsync(CancellationToken cancellationToken)
    {
        var backoff = s_initialBackoff;
        while (true)
        {
            try
            {
                await _client.DiscoveryV1.ListEndpointSliceForAllNamespacesAsync(limit: 1, cancellationToken: cancellationToken);
                return true;
            }
            catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                ServicesLog.NoEndpointSlices(_logger);
                return false;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is k8s.Autorest.HttpOperationException or HttpRequestException or IOException or TimeoutException)
            {
                ServicesLog.ProbeFailed(_logger, e.Message, backoff);
                await Task.Delay(backoff, _time, cancellationToken);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, s_maxBackoff.Ticks));
            }
        }
    }

    private void Changed(string service) => _inbox.Writer.TryWrite(new Message.ServiceChanged(service, _time.GetTimestamp()));

    private void Translate(string serviceName, long seen)
    {
        var service = _services.Get(serviceName);
        var keys = new HashSet<ServiceKey>();
        if (service is not null)
        {
            var slash = serviceName.IndexOf('/', StringComparison.Ordinal);
            var (ns, name) = (serviceName[..slash], serviceName[(slash + 1)..]);
            var slices = _fromEndpoints
                ? _endpoints.Get(serviceName) is { } endpoints ? EndpointsConversion.ToSlices(endpoints) : []
                : _slices.Items.Where(s => s.Metadata.NamespaceProperty == ns && s.Metadata.Labels?.TryGetValue(ServiceNameLabel, out var owner) == true && owner == name);
            var (translations, skipped) = ServiceTranslator.Translate(service, slices, _nodeIp, _nodeName);
            foreach (var line in skipped)
            {
                ServicesLog.Skipped(_logger, serviceName, line);
            }

            ServicesLog.Translated(_logger, serviceName, translations.Count);
            foreach (var translation in translations)
            {
                keys.Add(translation.Key);
                if (!_desired.TryGetValue(translation.Key, out var old) || !old.Equals(translation))
                {
                    _desired[translation.Key] = translation;
                    MarkChanged(translation.Key, seen);
                }
            }
        }

        if (_keysByService.TryGetValue(serviceName, out var previous))
        {
            foreach (var gone in previous.Where(k => !keys.Contains(k)))
            {
                _desired.Remove(gone);
                MarkChanged(gone, seen);
            }
        }

        if (keys.Count == 0)
        {
            _keysByService.Remove(serviceName);
        }
        else
        {
            _keysByService[serviceName] = keys;
        }
    }

    private void MarkChanged(ServiceKey key, long seen)
    {
        _dirty.Add(key);
        _changeSeen.TryAdd(key, seen);
        _retries.Remove(key); // a new desired state is worth trying at once
    }

    private void Pump()
    {
        var now = _time.GetTimestamp();
        var earliestRetry = long.MaxValue;
        var sends = new List<(ServiceKey Key, ServiceTranslation? Desired)>();
        foreach (var key in _dirty.ToList())
        {
            if (_inFlight.Count >= MaxInFlight)
            {
                break;
            }

            if (_inFlight.Contains(key))
            {
                continue;
            }

            if (_retries.TryGetValue(key, out var retry) && retry.Due > now)
            {
                earliestRetry = Math.Min(earliestRetry, retry.Due);
                continue;
            }

            _dirty.Remove(key);
            var desired = _desired.TryGetValue(key, out var d) && d.Backends.Length > 0 ? d : null;
            var acknowledged = _acknowledged.GetValueOrDefault(key);
            if (desired is not null ? !_forced.Contains(key) && desired.Equals(acknowledged) : acknowledged is null)
            {
                _forced.Remove(key);
                Done(key);
                continue;
            }

            _inFlight.Add(key);
            sends.Add((key, desired));
            if (desired is not null)
            {
                _record.Add(key);
            }
        }

        SaveRecord();
        foreach (var (key, desired) in sends)
        {
            _ = SendAsync(key, desired);
        }

        if (earliestRetry < _wakeDue)
        {
            _wakeDue = earliestRetry;
            _ = WakeAsync(TimeSpan.FromSeconds((double)(earliestRetry - now) / _time.TimestampFrequency));
        }
    }

    private async Task SendAsync(ServiceKey key, ServiceTranslation? desired)
    {
        var request = new NatTranslation
        {
            Endpoint = new NatEndpoint { Ipv4Addr = key.Ip.ToString(), Port = key.Port },
            Proto = key.ProtocolName,
        };
        var method = desired is null ? "NatTranslationDelete" : "NatTranslationAdd";
        foreach (var backend in desired?.Backends ?? [])
        {
            request.Backends.Add(new NatEndpointTuple { DstEp = new NatEndpoint { Ipv4Addr = backend.Ip.ToString(), Port = backend.Port } });
        }

        Message.Completed result;
        try
        {
            var deadline = _time.GetUtcNow().UtcDateTime + s_callTimeout;
            var reply = desired is null
                ? await _manager.NatTranslationDeleteAsync(request, deadline: deadline)
                : await _manager.NatTranslationAddAsync(request, deadline: deadline);
            result = new Message.Completed(key, desired, method, reply.Successful ? Outcome.Ok : Outcome.Failed, reply.ErrorMessage);
        }
        catch (RpcException e)
        {
            var outcome = e.StatusCode switch
            {
                StatusCode.InvalidArgument => Outcome.Rejected,
                StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Cancelled => Outcome.Unreachable,
                _ => Outcome.Failed,
            };
            result = new Message.Completed(key, desired, method, outcome, e.Status.Detail);
        }

        _inbox.Writer.TryWrite(result);
    }

    private void Complete(Message.Completed completed)
    {
        var key = completed.Key;
        _inFlight.Remove(key);
        _metrics.Request(completed.Method, completed.Outcome switch { Outcome.Ok => "ok", Outcome.Rejected => "rejected", _ => "failed" });
        switch (completed.Outcome)
        {
            case Outcome.Ok:
                _retries.Remove(key);
                _forced.Remove(key);
                if (completed.Sent is null)
                {
                    _acknowledged.Remove(key);
                    _record.Remove(key);
                    ServicesLog.Removed(_logger, key.ToString());
                }
                else
                {
                    _acknowledged[key] = completed.Sent;
                    ServicesLog.Programmed(_logger, key.ToString(), completed.Sent.Backends.Length);
                }

                if (_managerDown)
                {
                    _managerDown = false;
                    Resync();
                }

                _dirty.Add(key); // done only if nothing changed meanwhile; Pump decides
                break;

            case Outcome.Rejected:
                ServicesLog.Rejected(_logger, key.ToString(), completed.Method, completed.Error);
                _retries.Remove(key);
                Done(key);
                break;

            default:
                _managerDown |= completed.Outcome == Outcome.Unreachable;
                var attempts = _retries.GetValueOrDefault(key).Attempts + 1;
                var delay = TimeSpan.FromTicks(Math.Min(s_initialBackoff.Ticks << Math.Min(attempts - 1, 16), s_maxBackoff.Ticks));
                ServicesLog.Failed(_logger, key.ToString(), completed.Method, completed.Error, attempts, delay);
                _retries[key] = (attempts, _time.GetTimestamp() + (long)(delay.TotalSeconds * _time.TimestampFrequency));
                _dirty.Add(key);
                break;
        }
    }

    /// <summary>The manager may have restarted with nothing: send every service port again, and retry the deletes.</summary>
    private void Resync()
    {
        var keys = _desired.Keys.Concat(_acknowledged.Keys).ToHashSet();
        ServicesLog.Resync(_logger, keys.Count);
        foreach (var key in keys)
        {
            _forced.Add(key);
            _dirty.Add(key);
            _retries.Remove(key);
        }
    }

    /// <summary>Before the sends that need it; a file that cannot be written is said, and the services are programmed all the same.</summary>
    private void SaveRecord()
    {
        try
        {
            _record.Save();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            ServicesLog.RecordNotSaved(_logger, _record.Path, e.Message);
        }
    }

    private void Done(ServiceKey key)
    {
        if (_changeSeen.Remove(key, out var seen))
        {
            _metrics.Programmed(_time.GetElapsedTime(seen));
        }
    }

    private async Task WakeAsync(TimeSpan delay)
    {
        await Task.Delay(delay, _time);
        _inbox.Writer.TryWrite(new Message.Wake());
    }

    private enum Outcome
    {
        Ok,
        Failed,
        Unreachable,
        Rejected,
    }

    private abstract record Message
    {
        public sealed record ServiceChanged(string Service, long Seen) : Message;

        /// <summary>A retry fell due: only Pump needs to run.</summary>
        public sealed record Wake : Message;

        public sealed record Completed(ServiceKey Key, ServiceTranslation? Sent, string Method, Outcome Outcome, string Error) : Message;
    }
}
