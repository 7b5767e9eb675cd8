using System.Text.Json;

namespace InfraManager.Tests.Store;

/// <summary>
/// Writes services_db.json as the Go manager did: json.MarshalIndent(map, "", " "), so one-space
/// indentation, map keys in byte order, struct fields in declaration order, no final newline.
/// </summary>
internal static class GoStoreFiles
{
    private static readonly JsonWriterOptions GoLayout = new() { Indented = true, IndentCharacter = ' ', IndentSize = 1, NewLine = "\n" };

    /// <summary>
    /// A service's backends with the member ids the Go manager gave them, in the order they were added:
    /// (group &lt;&lt; 4) | ((n + 1) &amp; 0xF), which repeats from the 17th.
    /// </summary>
    public static (string Ip, uint Port, uint MemberId)[] Numbered(uint groupId, uint port, params string[] ips) =>
        [.. ips.Select((ip, n) => (ip, port, (groupId << 4) | (((uint)n + 1) & 0xF)))];

    public static void WriteServices(string path, params (string ClusterIp, string Proto, uint Port, uint GroupId, (string Ip, uint Port, uint MemberId)[] Backends)[] services)
    {
        using var stream = File.Create(path);
        using var writer = new Utf8JsonWriter(stream, GoLayout);
        writer.WriteStartObject();
        foreach (var service in services.OrderBy(s => $"{s.ClusterIp}:{s.Proto}:{s.Port}", StringComparer.Ordinal))
        {
            writer.WriteStartObject($"{service.ClusterIp}:{service.Proto}:{service.Port}");
            writer.WriteString("ClusterIp", service.ClusterIp);
            writer.WriteString("MacAddr", "00:09:00:08:b5:01");
            writer.WriteString("Proto", service.Proto);
            writer.WriteNumber("Port", service.Port);
            writer.WriteNumber("GroupID", service.GroupId);
            writer.WriteStartObject("ServiceEndPoint");
            foreach (var backend in service.Backends.OrderBy(b => b.Ip, StringComparer.Ordinal))
            {
                writer.WriteStartObject(backend.Ip);
                writer.WriteString("IpAddress", backend.Ip);
                writer.WriteNumber("Port", backend.Port);
                writer.WriteNumber("MemberID", backend.MemberId);
                writer.WriteNumber("ModBlobPtrDNAT", backend.MemberId);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            writer.WriteNumber("NumEndPoints", service.Backends.Length);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }
}
