using Grpc.Core;
using Proto.Gnmi;
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
    private readonly ILogger<GnmiService> _logger;

    public GnmiService(PortRegistry ports, ILogger<GnmiService> logger)
    {
        _ports = ports;
        _logger = logger;
    }

    public override Task<CapabilityResponse> Capabilities(CapabilityRequest request, ServerCallContext context) =>
        Task.FromResult(new CapabilityResponse { GNMIVersion = "0.7.0", SupportedEncodings = { Encoding.Proto } });

    public override Task<GetResponse> Get(GetRequest request, ServerCallContext context)
    {
        var response = new GetResponse();
        foreach (var path in request.Path)
        {
            var (name, leaf) = VirtualInterfaceLeaf(request.Prefix, path);
            if (leaf != "tdi-portin-id")
            {
                throw new RpcException(new Status(StatusCode.Unimplemented, $"path: only config/tdi-portin-id can be read, not {leaf}"));
            }

            if (!_ports.TryGetId(name, out var id))
            {
                throw new RpcException(new Status(StatusCode.NotFound, $"path: no virtual-interface named {name}"));
            }

            var notification = new Notification { Timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000 };
            notification.Update.Add(new Update { Path = path, Val = new TypedValue { UintVal = id } });
            response.Notification.Add(notification);
        }

        return Task.FromResult(response);
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

            var id = _ports.Add(name);
            LogPortCreated(_logger, name, id);
        }

        return Task.FromResult(response);
    }

    private static (string Name, string Leaf) VirtualInterfaceLeaf(Path? prefix, Path path)
    {
        var elements = (prefix?.Elem ?? []).Concat(path.Elem).ToList();
        if (elements.Count != 4 || elements[0].Name != "interfaces" || elements[1].Name != "virtual-interface" || elements[2].Name != "config"
            || !elements[1].Key.TryGetValue("name", out var name) || string.IsNullOrEmpty(name))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"path: expected /interfaces/virtual-interface[name=X]/config/<leaf>, got /{string.Join('/', elements.Select(e => e.Name))}"));
        }

        return (name, elements[3].Name);
    }

    [LoggerMessage(EventId = 650, Level = LogLevel.Information, Message = "gNMI: port {Name} is P4 port {Id}")]
    private static partial void LogPortCreated(ILogger logger, string name, uint id);
}
