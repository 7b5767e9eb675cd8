using System.Buffers;
using System.Text.Json;
using InfraManager.State;

namespace InfraManager.Store;

/// <summary>
/// state.json: the whole state at one journal sequence, as an indented, versioned document.
/// <code>
/// {
///   "version": 1,
///   "sequence": 12,
///   "endpoints": { "10.244.0.6": { "mac": "aa:bb:cc:dd:ee:06", "portId": 3, "interface": "P4TAP_3", "kind": "pod" } },
///   "services": { "10.96.0.10:UDP:53": { "groupId": 1, "backends": [ { "ip": "10.244.0.3", "port": 53, "memberId": 1 } ] } },
///   "host": { "name": "P4TAP_1", "ip": "200.1.1.2", "mac": "aa:bb:cc:dd:ee:01", "portId": 1, "nodeIp": "200.1.1.3" },
///   "felix": { "ActivePolicy/default/allow-dns": "&lt;base64&gt;" },
///   "snat": { "ipv4": "", "ipv6": "", "prefixes": [] },
///   "cursors": { "nextMemberId": 2, "nextGroupId": 2 }
/// }
/// </code>
/// </summary>
internal static class StateSnapshot
{
    public const int Version = 1;

    public static byte[] Serialize(ManagerState state, long sequence)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, StateJson.Indented))
        {
            writer.WriteStartObject();
            writer.WriteNumber("version", Version);
            writer.WriteNumber("sequence", sequence);

            writer.WriteStartObject("endpoints");
            foreach (var (ip, endpoint) in state.Endpoints)
            {
                writer.WritePropertyName(StateJson.EndpointKey(ip));
                StateJson.WriteEndpoint(writer, endpoint);
            }

            writer.WriteEndObject();

            writer.WriteStartObject("services");
            foreach (var (key, service) in state.Services)
            {
                writer.WritePropertyName(StateJson.ServiceKeyText(key));
                StateJson.WriteService(writer, service);
            }

            writer.WriteEndObject();

            writer.WritePropertyName("host");
            StateJson.WriteHost(writer, state.Host);

            writer.WriteStartObject("felix");
            foreach (var (key, message) in state.Felix)
            {
                writer.WritePropertyName(key);
                StateJson.WriteFelix(writer, message);
            }

            writer.WriteEndObject();

            writer.WritePropertyName("snat");
            StateJson.WriteSnat(writer, state.Snat);
            writer.WritePropertyName("cursors");
            StateJson.WriteCursors(writer, state.Cursors);
            writer.WriteEndObject();
        }

        buffer.Write("\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads a snapshot; <see cref="JsonException"/> or <see cref="InvalidDataException"/> when it is not one.</summary>
    public static (ManagerState State, long Sequence) Parse(ReadOnlyMemory<byte> utf8)
    {
        using var document = JsonDocument.Parse(utf8);
        var root = JsonFields.AsObject(document.RootElement, "document");

        // The version decides how to read everything else, so it is checked first and on its own.
        if (!root.TryGetProperty("version", out var version))
        {
            throw new InvalidDataException("no version");
        }

        if (version.ValueKind != JsonValueKind.Number || !version.TryGetInt32(out var number) || number != Version)
        {
            throw new InvalidDataException($"unknown version {version.GetRawText()}");
        }

        var sequence = JsonFields.Int64(root, "sequence", string.Empty);

        var endpoints = ManagerState.Empty.Endpoints.ToBuilder();
        foreach (var entry in JsonFields.Object(root, "endpoints", string.Empty).EnumerateObject())
        {
            var path = JsonFields.Entry("endpoints", entry.Name);
            var ip = StateJson.ParseEndpointKey(entry.Name, path);
            AddOnce(endpoints, ip, StateJson.ReadEndpoint(ip, entry.Value, path), path);
        }

        var services = ManagerState.Empty.Services.ToBuilder();
        foreach (var entry in JsonFields.Object(root, "services", string.Empty).EnumerateObject())
        {
            var path = JsonFields.Entry("services", entry.Name);
            var key = StateJson.ParseServiceKey(entry.Name, path);
            AddOnce(services, key, StateJson.ReadService(key, entry.Value, path), path);
        }

        var felix = ManagerState.Empty.Felix.ToBuilder();
        foreach (var entry in JsonFields.Object(root, "felix", string.Empty).EnumerateObject())
        {
            var path = JsonFields.Entry("felix", entry.Name);
            AddOnce(felix, entry.Name, StateJson.ReadFelix(entry.Value, path), path);
        }

        var state = new ManagerState(
            endpoints.ToImmutable(),
            services.ToImmutable(),
            StateJson.ReadHost(JsonFields.Required(root, "host", string.Empty), "host"),
            felix.ToImmutable(),
            StateJson.ReadSnat(JsonFields.Required(root, "snat", string.Empty), "snat"),
            StateJson.ReadCursors(JsonFields.Required(root, "cursors", string.Empty), "cursors"));
        return (state, sequence);
    }

    /// <summary>JSON allows a key twice; a snapshot we wrote never has one, so a repeat means the file was edited or damaged.</summary>
    private static void AddOnce<TKey, TValue>(IDictionary<TKey, TValue> entries, TKey key, TValue value, string path)
    {
        if (!entries.TryAdd(key, value))
        {
            throw new InvalidDataException($"{path}: appears twice");
        }
    }
}
