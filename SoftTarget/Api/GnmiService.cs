using Grpc.Core;
using Proto.Gnmi;
using SoftTarget.DataPlane;
using SoftTarget.Ports;
using Path = Proto.Gnmi.Path;

namespace SoftTarget.Api;

/// <summary>
/// The gNMI subset infrap4d offers the manager: Get of
/// /interfaces/virtual-interface[name=X]/config/tdi-portin-id, and the Set gnmi-ctl sends to create a
/// TAP port (device:virtual-device,name:X,...,port-type:TAP).
/// </summary>
internal sealed partial class GnmiService : gNMI.gNMIBase
{
    private readonly PortRegistry _ports;
    private readonly DataPlaneService _dataPlane;
    private readonly ILogger<GnmiService> _logger;

    public GnmiService(PortRegistry ports, DataPlaneService dataPlane, ILogger<GnmiService> logger)
    {
        _ports = ports;
        _dataPlane = dataPlane;
        _logger = logger;
    }

    public override Task<CapabilityResponse> Capabilities(CapabilityRequest request, ServerCallContext context) =>
        Task.FromResult(new CapabilityResponse { GNMIVersion = "0.7.0", SupportedEncodings = { Encoding.Proto } });

    public override Task<GetResponse> Get(GetRequest request, ServerCallContext context)
    {
        var response = new GetResponse();
        foreach (var requested in request.Path)
        {
            var (requestedName, requestedLeaf) = VirtualInterfaceLeaf(request.Prefix, requested);
            // name=* reads every port (counters, for `softtarget dump`).
            var names = requestedName == "*" ? _ports.Ports.OrderBy(p => p.Value).Select(p => p.Key).ToList() : [requestedName];
            foreach (var name in names)
            {
                var path = requested.Clone();
                path.Elem[1].Key["name"] = name;
                response.Notification.Add(Read(name, requestedLeaf, path));
            }
        }

        return Task.FromResult(response);
    }

    private Notification Read(string name, string leaf, Path path)
    {
        if (!_ports.TryGetId(name, out var id))
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"path: no virtual-interface named {name}"));
        }

        var notification = new Notification { Timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000 };
        if (leaf == "tdi-portin-id")
        {
            notification.Update.Add(new Update { Path = path, Val = new TypedValue { UintVal = id } });
        }
        else if (leaf == "counters")
        {
            // Debugging aid: the port's frames received, forwarded by the pipeline, and dropped.
            var worker = _dataPlane.Workers.FirstOrDefault(w => w.PortId == id);
            foreach (var (counter, value) in new[] { ("in-pkts", worker?.Received ?? 0), ("forwarded-pkts", worker?.Forwarded ?? 0), ("in-discards", worker?.Dropped ?? 0) })
            {
                var counterPath = path.Clone();
                counterPath.Elem.Add(new PathElem { Name = counter });
                notification.Update.Add(new Update { Path = counterPath, Val = new TypedValue { UintVal = (ulong)value } });
            }
        }
        else
        {
            throw new RpcException(new Status(StatusCode.Unimplemented, $"path: only config/tdi-portin-id and state/counters can be read, not {leaf}"));
        }

        return notification;
    }

    public override Task<SetResponse> Set(SetRequest request, ServerCallContext context)
    {
        if (request.Delete.Count > 0)
        {
            throw new RpcException(new Status(StatusCode.Unimplemented, "delete: ports cannot be removed"));
        }

        var ports = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        var response = new SetResponse { Timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000 };
        foreach (var update in request.Update.Concat(request.Replace))
        {
            var (name, leaf) = VirtualInterfaceLeaf(request.Prefix, update.Path);
            var value = update.Val?.ValueCase switch
            {
                TypedValue.ValueOneofCase.StringVal => update.Val.StringVal,
                TypedValue.ValueOneofCase.UintVal => update.Val.UintVal.ToString(System.Globalization.CultureInfo.InvariantCulture),
                TypedValue.ValueOneofCase.IntVal => update.Val.IntVal.ToString(System.Globalization.CultureInfo.InvariantCulture),
                _ => throw new RpcException(new Status(StatusCode.InvalidArgument, $"{leaf}: a string or integer value is needed")),
            };
            if (!ports.TryGetValue(name, out var settings))
            {
                ports[name] = settings = new Dictionary<string, string>(StringComparer.Ordinal);
            }

            settings[leaf] = value;
            response.Response.Add(new UpdateResult { Path = update.Path, Op = UpdateResult.Types.Operation.Update });
        }

        foreach (var (name, settings) in ports)
        {
            if (settings.TryGetValue("port-type", out var type) && !string.Equals(type, "TAP", StringComparison.OrdinalIgnoreCase))
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, $"port-type: {name} is {type}; SoftTarget makes TAP ports only"));
            }

            if (name.Length > 15 || name.Contains('/', StringComparison.Ordinal) || name.Any(char.IsWhiteSpace))
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, $"name: '{name}' is not an interface name (1 to 15 characters, no '/' or spaces)"));
            }

            var id = _ports.Add(name);
            if (_dataPlane.OpenPort(name, id) is { } error)
            {
                throw new RpcException(new Status(StatusCode.Internal, $"{name}: the TAP cannot be opened: {error}"));
            }

            LogPortCreated(_logger, name, id);
        }

        return Task.FromResult(response);
    }

    private static (string Name, string Leaf) VirtualInterfaceLeaf(Path? prefix, Path path)
    {
        var elements = (prefix?.Elem ?? []).Concat(path.Elem).ToList();
        if (elements.Count != 4 || elements[0].Name != "interfaces" || elements[1].Name != "virtual-interface" || elements[2].Name is not ("config" or "state")
            || !elements[1].Key.TryGetValue("name", out var name) || string.IsNullOrEmpty(name))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"path: expected /interfaces/virtual-interface[name=X]/config/<leaf> or .../state/counters, got /{string.Join('/', elements.Select(e => e.Name))}"));
        }

        return (name, elements[3].Name);
    }

    [LoggerMessage(EventId = 650, Level = LogLevel.Information, Message = "gNMI: port {Name} is P4 port {Id}")]
    private static partial void LogPortCreated(ILogger logger, string name, uint id);
}
