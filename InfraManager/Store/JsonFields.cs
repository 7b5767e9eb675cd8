using System.Diagnostics;
using System.Text.Json;
using Packets;

namespace InfraManager.Store;

/// <summary>
/// Typed reads from a parsed JSON document. A missing field or one of the wrong kind is an
/// <see cref="InvalidDataException"/> that says where it is (<c>services["10.96.0.10:UDP:53"].groupId</c>);
/// the caller puts the file name in front.
/// </summary>
internal static class JsonFields
{
    public static JsonElement Required(JsonElement parent, string name, string path)
    {
        Debug.Assert(parent.ValueKind == JsonValueKind.Object);
        return parent.TryGetProperty(name, out var value) ? value : throw new InvalidDataException(At(path, $"no \"{name}\""));
    }

    public static JsonElement Object(JsonElement parent, string name, string path) =>
        AsObject(Required(parent, name, path), Field(path, name));

    public static JsonElement Array(JsonElement parent, string name, string path)
    {
        var value = Required(parent, name, path);
        return value.ValueKind == JsonValueKind.Array ? value : throw Unexpected(Field(path, name), "an array", value);
    }

    public static string String(JsonElement parent, string name, string path) =>
        AsString(Required(parent, name, path), Field(path, name));

    public static uint UInt32(JsonElement parent, string name, string path) =>
        AsUInt32(Required(parent, name, path), Field(path, name));

    public static ushort UInt16(JsonElement parent, string name, string path)
    {
        var value = Required(parent, name, path);
        return value.ValueKind == JsonValueKind.Number && value.TryGetUInt16(out var number)
            ? number
            : throw Unexpected(Field(path, name), "a number from 0 to 65535", value);
    }

    public static long Int64(JsonElement parent, string name, string path)
    {
        var value = Required(parent, name, path);
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number)
            ? number
            : throw Unexpected(Field(path, name), "an integer", value);
    }

    public static IPv4Address Ip(JsonElement parent, string name, string path) =>
        ParseIp(String(parent, name, path), Field(path, name));

    public static MacAddress Mac(JsonElement parent, string name, string path) =>
        ParseMac(String(parent, name, path), Field(path, name));

    public static JsonElement AsObject(JsonElement value, string path) =>
        value.ValueKind == JsonValueKind.Object ? value : throw Unexpected(path, "an object", value);

    public static string AsString(JsonElement value, string path) =>
        value.ValueKind == JsonValueKind.String
            ? value.GetString()! // a String element always has a string value
            : throw Unexpected(path, "a string", value);

    public static uint AsUInt32(JsonElement value, string path) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetUInt32(out var number)
            ? number
            : throw Unexpected(path, "a number from 0 to 4294967295", value);

    public static IPv4Address ParseIp(string text, string path) =>
        IPv4Address.TryParse(text, out var ip) ? ip : throw new InvalidDataException($"{path}: '{text}' is not an IPv4 address");

    public static MacAddress ParseMac(string text, string path) =>
        MacAddress.TryParse(text, out var mac) ? mac : throw new InvalidDataException($"{path}: '{text}' is not a MAC address");

    /// <summary>The path of a named field: <c>host.ip</c>.</summary>
    public static string Field(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    /// <summary>The path of a map entry: <c>endpoints["10.244.0.6"]</c>.</summary>
    public static string Entry(string path, string key) => $"{path}[\"{key}\"]";

    /// <summary>The path of an array item: <c>backends[2]</c>.</summary>
    public static string Item(string path, int index) => $"{path}[{index}]";

    private static string At(string path, string problem) => path.Length == 0 ? problem : $"{path}: {problem}";

    private static InvalidDataException Unexpected(string path, string expected, JsonElement found) =>
        new(At(path, $"expected {expected}, found {Describe(found)}"));

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.Null => "null",
        _ => Shorten(value.GetRawText()),
    };

    private static string Shorten(string text) => text.Length <= 40 ? text : $"{text[..40]}...";
}
