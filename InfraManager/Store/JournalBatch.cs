using System.Buffers;
using System.Collections.Immutable;
using System.Text.Json;
using InfraManager.State;

namespace InfraManager.Store;

/// <summary>
/// One commit in journal.jsonl: a line per changed key, then a commit marker that counts them, all
/// carrying the batch's sequence number.
/// <code>
/// {"seq":7,"op":"putEndpoint","key":"10.244.0.6","value":{"mac":"aa:bb:cc:dd:ee:06","portId":3,"interface":"P4TAP_3","kind":"pod"}}
/// {"seq":7,"op":"deleteService","key":"10.96.0.10:UDP:53"}
/// {"seq":7,"op":"putCursors","value":{"nextMemberId":4,"nextGroupId":2}}
/// {"seq":7,"op":"commit","changes":3}
/// </code>
/// </summary>
internal static class JournalBatch
{
    public const string PutEndpoint = "putEndpoint";
    public const string DeleteEndpoint = "deleteEndpoint";
    public const string PutService = "putService";
    public const string DeleteService = "deleteService";
    public const string PutFelix = "putFelix";
    public const string DeleteFelix = "deleteFelix";
    public const string PutHost = "putHost";
    public const string DeleteHost = "deleteHost";
    public const string PutSnat = "putSnat";
    public const string PutCursors = "putCursors";
    public const string Commit = "commit";

    /// <summary>The lines that turn <paramref name="previous"/> into <paramref name="next"/>; empty when they hold the same.</summary>
    public static byte[] Encode(ManagerState previous, ManagerState next, long sequence)
    {
        using var lines = new LineWriter(sequence);
        Diff(lines, previous.Endpoints, next.Endpoints, PutEndpoint, DeleteEndpoint, StateJson.EndpointKey, StateJson.WriteEndpoint);
        Diff(lines, previous.Services, next.Services, PutService, DeleteService, StateJson.ServiceKeyText, StateJson.WriteService);
        Diff(lines, previous.Felix, next.Felix, PutFelix, DeleteFelix, key => key, StateJson.WriteFelix);

        if (!Equals(previous.Host, next.Host))
        {
            if (next.Host is null)
            {
                lines.Begin(DeleteHost);
            }
            else
            {
                StateJson.WriteHost(lines.BeginValue(PutHost), next.Host);
            }

            lines.End();
        }

        if (!previous.Snat.Equals(next.Snat))
        {
            StateJson.WriteSnat(lines.BeginValue(PutSnat), next.Snat);
            lines.End();
        }

        if (previous.Cursors != next.Cursors)
        {
            StateJson.WriteCursors(lines.BeginValue(PutCursors), next.Cursors);
            lines.End();
        }

        if (lines.Count == 0)
        {
            return [];
        }

        var changes = lines.Count;
        lines.Begin(Commit).WriteNumber("changes", changes);
        lines.End();
        return lines.ToArray();
    }

    private static void Diff<TKey, TValue>(
        LineWriter lines,
        ImmutableSortedDictionary<TKey, TValue> previous,
        ImmutableSortedDictionary<TKey, TValue> next,
        string putOp,
        string deleteOp,
        Func<TKey, string> keyText,
        Action<Utf8JsonWriter, TValue> writeValue)
        where TKey : notnull
    {
        // A request that did not touch a map hands the same instance on.
        if (ReferenceEquals(previous, next))
        {
            return;
        }

        foreach (var key in previous.Keys)
        {
            if (!next.ContainsKey(key))
            {
                lines.Begin(deleteOp, keyText(key));
                lines.End();
            }
        }

        foreach (var (key, value) in next)
        {
            if (!previous.TryGetValue(key, out var old) || !EqualityComparer<TValue>.Default.Equals(old, value))
            {
                writeValue(lines.BeginValue(putOp, keyText(key)), value);
                lines.End();
            }
        }
    }

    /// <summary>Writes one JSON object per line into a buffer.</summary>
    private sealed class LineWriter : IDisposable
    {
        private readonly ArrayBufferWriter<byte> _buffer = new();
        private readonly Utf8JsonWriter _writer;
        private readonly long _sequence;

        public LineWriter(long sequence)
        {
            _sequence = sequence;
            _writer = new Utf8JsonWriter(_buffer, StateJson.Compact);
        }

        public int Count { get; private set; }

        public Utf8JsonWriter Begin(string op, string? key = null)
        {
            // A writer takes one top-level value; each line is a new one.
            _writer.Reset(_buffer);
            _writer.WriteStartObject();
            _writer.WriteNumber("seq", _sequence);
            _writer.WriteString("op", op);
            if (key is not null)
            {
                _writer.WriteString("key", key);
            }

            return _writer;
        }

        /// <summary>Begins a line and leaves the writer where its "value" goes.</summary>
        public Utf8JsonWriter BeginValue(string op, string? key = null)
        {
            Begin(op, key).WritePropertyName("value");
            return _writer;
        }

        public void End()
        {
            _writer.WriteEndObject();
            _writer.Flush();
            _buffer.Write("\n"u8);
            Count++;
        }

        public byte[] ToArray() => _buffer.WrittenSpan.ToArray();

        public void Dispose() => _writer.Dispose();
    }
}
