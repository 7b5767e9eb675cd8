using System.Collections.Concurrent;
using DaemonHost.Configuration;
using DaemonHost.Tls;
using Grpc.Core;
using Grpc.Net.Client;
using Proto.Gnmi;
using Path = Proto.Gnmi.Path;

namespace InfraManager.P4;

/// <summary>
/// The P4 port of a TAP interface, asked of the target's gNMI server as the Go original asks it
/// (reference-behaviour.md 3.5): Get of /interfaces/virtual-interface[name=X]/config/tdi-portin-id,
/// type ALL, encoding PROTO, no prefix or target; the answer is notification[0].update[0].val.uint_val.
/// Answers are cached per name until <see cref="Invalidate"/> (after the target restarted).
/// </summary>
internal sealed class PortLookup : IDisposable
{
    private readonly ConcurrentDictionary<string, uint> _ports = new(StringComparer.Ordinal);
    private readonly P4TargetLink _link;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ReloadingTlsMaterial? _tls;
    private readonly GrpcChannel _channel;
    private readonly gNMI.gNMIClient _client;
    private long _generation;

    public PortLookup(P4RuntimeOptions options, TimeSpan timeout, TimeProvider time, ILogger<PortLookup> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _link = options.GnmiLink();
        _timeout = timeout;
        _time = time;
        _logger = logger;
        _tls = _link.Tls.Mode == TlsMode.Insecure ? null : new ReloadingTlsMaterial(_link.Tls, time, logger);
        _channel = GrpcChannels.Create(_link.Address.ToString(), _tls, new GrpcChannelOptions { ThrowOperationCanceledOnCancellation = true });
        _client = new gNMI.gNMIClient(_channel);
    }

    public HostPort Address => _link.Address;

    /// <summary>The P4 port id of the virtual interface <paramref name="interfaceName"/> (a TAP such as P4TAP_3).</summary>
    /// <exception cref="PortLookupException">The target does not know the name, cannot be reached, or answered in another shape.</exception>
    public async Task<uint> PortIdAsync(string interfaceName, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(interfaceName);
        if (_ports.TryGetValue(interfaceName, out var cached))
        {
            return cached;
        }

        var generation = Interlocked.Read(ref _generation);
        var request = new GetRequest { Type = GetRequest.Types.DataType.All, Encoding = Encoding.Proto };
        request.Path.Add(PortIdPath(interfaceName));
        GetResponse response;
        try
        {
            response = await _client.GetAsync(request, deadline: (_time.GetUtcNow() + _timeout).UtcDateTime, cancellationToken: cancellationToken);
        }
        catch (RpcException e)
        {
            var problem = e.StatusCode == StatusCode.NotFound ? "the target has no such interface" : "Get failed";
            throw new PortLookupException(e.StatusCode, interfaceName, $"gNMI {_link.Address}: port of '{interfaceName}': {problem}: {RpcErrors.Describe(e)}", e);
        }

        var port = ReadPortId(response, interfaceName);
        P4Log.PortFound(_logger, _link.Address, interfaceName, port);
        _ports[interfaceName] = port;
        // An answer that raced with Invalidate may describe the target before its restart: return it, do not keep it.
        // (Invalidate counts before it clears, so a store it did not clear is seen here.)
        if (Interlocked.Read(ref _generation) != generation)
        {
            _ports.TryRemove(new KeyValuePair<string, uint>(interfaceName, port));
        }

        return port;
    }

    /// <summary>Forgets every answer: the target restarted and may number its ports anew.</summary>
    public void Invalidate()
    {
        Interlocked.Increment(ref _generation);
        var entries = _ports.Count;
        _ports.Clear();
        P4Log.PortCacheCleared(_logger, entries);
    }

    public void Dispose()
    {
        _channel.Dispose();
        _tls?.Dispose();
    }

    /// <summary>/interfaces/virtual-interface[name=X]/config/tdi-portin-id as PathElems.</summary>
    public static Path PortIdPath(string interfaceName)
    {
        var path = new Path();
        path.Elem.Add(new PathElem { Name = "interfaces" });
        var virtualInterface = new PathElem { Name = "virtual-interface" };
        virtualInterface.Key.Add("name", interfaceName);
        path.Elem.Add(virtualInterface);
        path.Elem.Add(new PathElem { Name = "config" });
        path.Elem.Add(new PathElem { Name = "tdi-portin-id" });
        return path;
    }

    /// <summary>notification[0].update[0].val.uint_val as a port id; any other shape is a <see cref="PortLookupException"/> (the Go original panics).</summary>
    public static uint ReadPortId(GetResponse response, string interfaceName)
    {
        ArgumentNullException.ThrowIfNull(response);
        string? problem = null;
        ulong value = 0;
        if (response.Notification.Count == 0)
        {
            problem = "the answer has no notification";
        }
        else if (response.Notification[0].Update.Count == 0)
        {
            problem = "the notification has no update";
        }
        else if (response.Notification[0].Update[0].Val is not { } val)
        {
            problem = "the update has no value";
        }
        else if (val.ValueCase != TypedValue.ValueOneofCase.UintVal)
        {
            problem = $"the value is a {val.ValueCase}, not a uint_val";
        }
        else if ((value = val.UintVal) > uint.MaxValue)
        {
            problem = $"{value} is not a 32-bit port id";
        }

        return problem is null
            ? (uint)value
            : throw new PortLookupException(StatusCode.DataLoss, interfaceName, $"gNMI: port of '{interfaceName}': unexpected answer: {problem}");
    }
}
