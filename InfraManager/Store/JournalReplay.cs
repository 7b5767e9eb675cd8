using System.Collections.Immutable;
using System.Text.Json;
using Google.Protobuf;
using InfraManager.State;
using Packets;

namespace InfraManager.Store;

/// <summary>
/// Applies journal.jsonl to the snapshot's state: every complete batch with a sequence above the
/// snapshot's, in order. What follows the last complete batch (a torn line, a batch without its commit
/// marker) is a commit that a crash cut short; it was never acknowledged and is dropped. Damage before a
/// complete batch cannot come from a crash, so it is an error.
/// </summary>
internal sealed class JournalReplay
{
    private JournalReplay(ManagerState state, long sequence, int batches, long validLength, int droppedLines, long droppedBytes)
    {
        State = state;
        Sequence = sequence;
        Batches = batches;
        ValidLength = validLength;
        DroppedLines = droppedLines;
        DroppedBytes = droppedBytes;
    }

    public ManagerState State { get; }

    /// <summary>The sequence of the last batch applied (the snapshot's when none was).</summary>
    public long Sequence { get; }

    /// <summary>How many batches were applied.</summary>
    public int Batches { get; }

    /// <summary>Where the last complete batch ends: what follows is dropped.</summary>
    public long ValidLength { get; }

    public int DroppedLines { get; }

    public long DroppedBytes { get; }

    /// <summary>Replays <paramref name="journal"/>; <see cref="InvalidDataException"/> ("line 12: ...") when it is damaged.</summary>
    public static JournalReplay Run(ManagerState snapshot, long snapshotSequence, ReadOnlyMemory<byte> journal)
    {
        var state = new StateBuilder(snapshot);
        var sequence = snapshotSequence;
        var batches = 0;
        var pending = new List<(int Line, JsonDocument Document)>();
        long pendingSequence = 0;
        long previousBatch = long.MinValue;
        var validLength = 0;
        var offset = 0;
        var lineNumber = 0;
        string? problem = null;
        try
        {
            while (problem is null)
            {
                var end = journal.Span[offset..].IndexOf((byte)'\n');
                if (end < 0)
                {
                    break; // a last line without its newline was torn by a crash
                }

                lineNumber++;
                var line = journal.Slice(offset, end);
                offset += end + 1;
                if (!TryReadLine(line, out var document, out var lineSequence, out var op, out problem))
                {
                    break;
                }

                if (pending.Count > 0 && lineSequence != pendingSequence)
                {
                    document.Dispose();
                    problem = $"batch {pendingSequence} has no commit marker before batch {lineSequence} begins";
                    break;
                }

                if (op != JournalBatch.Commit)
                {
                    pending.Add((lineNumber, document));
                    pendingSequence = lineSequence;
                    continue;
                }

                var changes = CommitChanges(document.RootElement);
                document.Dispose();
                if (changes != pending.Count)
                {
                    problem = $"the commit marker of batch {lineSequence} counts {changes} changes, the batch has {pending.Count}";
                    break;
                }

                if (lineSequence <= previousBatch)
                {
                    problem = $"batch {lineSequence} follows batch {previousBatch}";
                    break;
                }

                // Batches up to the snapshot's sequence are in it already: a crash came between writing
                // the snapshot and emptying the journal.
                if (lineSequence > snapshotSequence)
                {
                    foreach (var (number, change) in pending)
                    {
                        state.Apply(change.RootElement, number);
                    }

                    sequence = lineSequence;
                    batches++;
                }

                previousBatch = lineSequence;
                DisposeAll(pending);
                validLength = offset;
            }

            if (problem is not null && CommitMarkerFollows(journal[offset..]))
            {
                throw new InvalidDataException($"line {lineNumber}: {problem}, and complete batches follow it");
            }
        }
        finally
        {
            DisposeAll(pending);
        }

        var dropped = journal[validLength..].Span;
        var droppedLines = dropped.Count((byte)'\n') + (dropped.Length > 0 && dropped[^1] != (byte)'\n' ? 1 : 0);
        return new JournalReplay(state.ToState(), sequence, batches, validLength, droppedLines, dropped.Length);
    }

    private static bool TryReadLine(ReadOnlyMemory<byte> line, out JsonDocument document, out long sequence, out string op, out string? problem)
    {
        document = null!; // only read when this returns true
        sequence = 0;
        op = string.Empty;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException e)
        {
            problem = $"not JSON ({e.Message})";
            return false;
        }

        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("seq", out var seq) || seq.ValueKind != JsonValueKind.Number || !seq.TryGetInt64(out sequence)
            || !root.TryGetProperty("op", out var opElement) || opElement.ValueKind != JsonValueKind.String)
        {
            document.Dispose();
            problem = "not a journal line (no \"seq\" or \"op\")";
            return false;
        }

        op = opElement.GetString()!; // a String element always has a string value
        problem = null;
        return true;
    }

    private static int CommitChanges(JsonElement marker) =>
        marker.TryGetProperty("changes", out var changes) && changes.ValueKind == JsonValueKind.Number && changes.TryGetInt32(out var count)
            ? count
            : -1;

    /// <summary>Whether a complete commit marker line is among <paramref name="rest"/>.</summary>
    private static bool CommitMarkerFollows(ReadOnlyMemory<byte> rest)
    {
        while (true)
        {
            var end = rest.Span.IndexOf((byte)'\n');
            if (end < 0)
            {
                return false;
            }

            if (TryReadLine(rest[..end], out var document, out _, out var op, out _))
            {
                document.Dispose();
                if (op == JournalBatch.Commit)
                {
                    return true;
                }
            }

            rest = rest[(end + 1)..];
        }
    }

    private static void DisposeAll(List<(int Line, JsonDocument Document)> lines)
    {
        foreach (var (_, document) in lines)
        {
            document.Dispose();
        }

        lines.Clear();
    }

    /// <summary>The state being rebuilt, one change at a time.</summary>
    private sealed class StateBuilder(ManagerState start)
    {
        private readonly ImmutableSortedDictionary<IPv4Address, EndpointRecord>.Builder _endpoints = start.Endpoints.ToBuilder();
        private readonly ImmutableSortedDictionary<ServiceKey, ServiceRecord>.Builder _services = start.Services.ToBuilder();
        private readonly ImmutableSortedDictionary<string, ByteString>.Builder _felix = start.Felix.ToBuilder();
        private HostInterfaceRecord? _host = start.Host;
        private SnatRecord _snat = start.Snat;
        private IdCursors _cursors = start.Cursors;

        public void Apply(JsonElement change, int line)
        {
            try
            {
                ApplyChange(change);
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"line {line}: {e.Message}", e);
            }
        }

        public ManagerState ToState() => new(
            _endpoints.ToImmutable(),
            _services.ToImmutable(),
            _host,
            _felix.ToImmutable(),
            _snat,
            _cursors);

        private void ApplyChange(JsonElement change)
        {
            var op = JsonFields.String(change, "op", string.Empty);
            switch (op)
            {
                case JournalBatch.PutEndpoint:
                    {
                        var ip = StateJson.ParseEndpointKey(Key(change), "key");
                        _endpoints[ip] = StateJson.ReadEndpoint(ip, Value(change), "value");
                        break;
                    }

                case JournalBatch.DeleteEndpoint:
                    _endpoints.Remove(StateJson.ParseEndpointKey(Key(change), "key"));
                    break;

                case JournalBatch.PutService:
                    {
                        var key = StateJson.ParseServiceKey(Key(change), "key");
                        _services[key] = StateJson.ReadService(key, Value(change), "value");
                        break;
                    }

                case JournalBatch.DeleteService:
                    _services.Remove(StateJson.ParseServiceKey(Key(change), "key"));
                    break;

                case JournalBatch.PutFelix:
                    _felix[Key(change)] = StateJson.ReadFelix(Value(change), "value");
                    break;

                case JournalBatch.DeleteFelix:
                    _felix.Remove(Key(change));
                    break;

                case JournalBatch.PutHost:
                    _host = StateJson.ReadHost(Value(change), "value");
                    break;

                case JournalBatch.DeleteHost:
                    _host = null;
                    break;

                case JournalBatch.PutSnat:
                    _snat = StateJson.ReadSnat(Value(change), "value");
                    break;

                case JournalBatch.PutCursors:
                    _cursors = StateJson.ReadCursors(Value(change), "value");
                    break;

                default:
                    throw new InvalidDataException($"unknown op '{op}'");
            }
        }

        private static string Key(JsonElement change) => JsonFields.String(change, "key", string.Empty);

        private static JsonElement Value(JsonElement change) => JsonFields.Required(change, "value", string.Empty);
    }
}
