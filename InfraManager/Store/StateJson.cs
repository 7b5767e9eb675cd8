using System.Collections.Immutable;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Google.Protobuf;
using InfraManager.State;
using Packets;

namespace InfraManager.Store;

/// <summary>
/// The JSON form of each record, shared by the snapshot (map entries) and the journal (line values).
/// Addresses are written as text so an operator can read the files; map keys (endpoint IP, service
/// key, Felix key) stay outside the value.
/// </summary>
internal static class StateJson
{
    /// <summary>The files hold no HTML; keep '+' of base64 and the like readable.</summary>
    public static JsonWriterOptions Indented { get; } = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static JsonWriterOptions Compact { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string EndpointKey(IPv4Address ip) => ip.ToString();

    public static IPv4Address ParseEndpointKey(string key, string path) => JsonFields.ParseIp(key, path);

    public static string ServiceKeyText(ServiceKey key) => key.ToString();

    /// <summary>"10.96.0.10:UDP:53", as <see cref="ServiceKey.ToString"/> writes it.</summary>
    public static ServiceKey ParseServiceKey(string text, string path)
    {
        var parts = text.Split(':');
        if (parts.Length == 3
            && IPv4Address.TryParse(parts[0], out var ip)
            && ServiceProtocols.TryParse(parts[1], out var protocol)
            && ushort.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            return new ServiceKey(ip, protocol, port);
        }

        throw new InvalidDataException($"{path}: '{text}' is not a service key (<cluster IP>:TCP|UDP:<port>)");
    }

    public static void WriteEndpoint(Utf8JsonWriter writer, EndpointRecord endpoint)
    {
        writer.WriteStartObject();
        writer.WriteString("mac", endpoint.Mac.ToString());
        writer.WriteNumber("portId", endpoint.PortId);
        writer.WriteString("interface", endpoint.InterfaceName);
        writer.WriteString("kind", KindName(endpoint.Kind));
        writer.WriteEndObject();
    }

    public static EndpointRecord ReadEndpoint(IPv4Address ip, JsonElement value, string path)
    {
        JsonFields.AsObject(value, path);
        return new EndpointRecord(
            ip,
            JsonFields.Mac(value, "mac", path),
            JsonFields.UInt32(value, "portId", path),
            JsonFields.String(value, "interface", path),
            ParseKind(JsonFields.String(value, "kind", path), JsonFields.Field(path, "kind")));
    }

    public static void WriteService(Utf8JsonWriter writer, ServiceRecord service)
    {
        writer.WriteStartObject();
        writer.WriteNumber("groupId", service.GroupId);
        writer.WriteStartArray("backends");
        foreach (var backend in service.Backends)
        {
            writer.WriteStartObject();
            writer.WriteString("ip", backend.Address.Ip.ToString());
            writer.WriteNumber("port", backend.Address.Port);
            writer.WriteNumber("memberId", backend.MemberId);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    public static ServiceRecord ReadService(ServiceKey key, JsonElement value, string path)
    {
        JsonFields.AsObject(value, path);
        var groupId = JsonFields.UInt32(value, "groupId", path);
        var backendsPath = JsonFields.Field(path, "backends");
        var backends = new List<Backend>();
        var index = 0;
        foreach (var item in JsonFields.Array(value, "backends", path).EnumerateArray())
        {
            var itemPath = JsonFields.Item(backendsPath, index++);
            JsonFields.AsObject(item, itemPath);
            var address = new BackendAddress(JsonFields.Ip(item, "ip", itemPath), JsonFields.UInt16(item, "port", itemPath));
            backends.Add(new Backend(address, JsonFields.UInt32(item, "memberId", itemPath)));
        }

        return new ServiceRecord(key, groupId, backends);
    }

    public static void WriteFelix(Utf8JsonWriter writer, ByteString message) => writer.WriteStringValue(message.ToBase64());

    public static ByteString ReadFelix(JsonElement value, string path)
    {
        var text = JsonFields.AsString(value, path);
        try
        {
            return ByteString.FromBase64(text);
        }
        catch (FormatException)
        {
            throw new InvalidDataException($"{path}: not base64");
        }
    }

    /// <summary>Writes the host interface, or null before SetupHostInterface.</summary>
    public static void WriteHost(Utf8JsonWriter writer, HostInterfaceRecord? host)
    {
        if (host is null)
        {
            writer.WriteNullValue();
            return;
        }

        writer.WriteStartObject();
        writer.WriteString("name", host.Name);
        writer.WriteString("ip", host.Ip.ToString());
        writer.WriteString("mac", host.Mac.ToString());
        writer.WriteNumber("portId", host.PortId);
        writer.WriteString("nodeIp", host.NodeIp.ToString());
        writer.WriteEndObject();
    }

    public static HostInterfaceRecord? ReadHost(JsonElement value, string path)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        JsonFields.AsObject(value, path);
        return new HostInterfaceRecord(
            JsonFields.String(value, "name", path),
            JsonFields.Ip(value, "ip", path),
            JsonFields.Mac(value, "mac", path),
            JsonFields.UInt32(value, "portId", path),
            JsonFields.Ip(value, "nodeIp", path));
    }

    public static void WriteSnat(Utf8JsonWriter writer, SnatRecord snat)
    {
        writer.WriteStartObject();
        writer.WriteString("ipv4", snat.Ipv4);
        writer.WriteString("ipv6", snat.Ipv6);
        writer.WriteStartArray("prefixes");
        foreach (var prefix in snat.Prefixes)
        {
            writer.WriteStringValue(prefix);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    public static SnatRecord ReadSnat(JsonElement value, string path)
    {
        JsonFields.AsObject(value, path);
        var prefixesPath = JsonFields.Field(path, "prefixes");
        var prefixes = ImmutableSortedSet.CreateBuilder<string>(StringComparer.Ordinal);
        var index = 0;
        foreach (var item in JsonFields.Array(value, "prefixes", path).EnumerateArray())
        {
            prefixes.Add(JsonFields.AsString(item, JsonFields.Item(prefixesPath, index++)));
        }

        return new SnatRecord(JsonFields.String(value, "ipv4", path), JsonFields.String(value, "ipv6", path), prefixes.ToImmutable());
    }

    public static void WriteCursors(Utf8JsonWriter writer, IdCursors cursors)
    {
        writer.WriteStartObject();
        writer.WriteNumber("nextMemberId", cursors.NextMemberId);
        writer.WriteNumber("nextGroupId", cursors.NextGroupId);
        writer.WriteEndObject();
    }

    public static IdCursors ReadCursors(JsonElement value, string path)
    {
        JsonFields.AsObject(value, path);
        return new IdCursors(JsonFields.UInt32(value, "nextMemberId", path), JsonFields.UInt32(value, "nextGroupId", path));
    }

    private static string KindName(EndpointKind kind) => kind switch
    {
        EndpointKind.Pod => "pod",
        EndpointKind.HostInterface => "hostInterface",
        EndpointKind.NodeIp => "nodeIp",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    private static EndpointKind ParseKind(string text, string path) => text switch
    {
        "pod" => EndpointKind.Pod,
        "hostInterface" => EndpointKind.HostInterface,
        "nodeIp" => EndpointKind.NodeIp,
        _ => throw new InvalidDataException($"{path}: unknown endpoint kind '{text}'"),
    };
}
