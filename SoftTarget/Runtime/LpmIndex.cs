using System.Diagnostics;
using P4Pipeline;
using Proto.P4.Config.V1;
using Proto.P4.V1;

namespace SoftTarget.Runtime;

/// <summary>
/// Longest-prefix lookup for a table keyed by exact fields and one LPM field, each part up to 64 bits
/// (k8s_dp's ACL tables), so a packet never scans the table. Entries are grouped by their exact part; the data plane reads an immutable
/// <see cref="LpmSnapshot"/>, and the one writer (the device's write gate) regroups only the exact parts a
/// Write touched and swaps in a new snapshot once per Write (<see cref="Publish"/>).
/// </summary>
internal sealed class LpmIndex
{
    private readonly TableInfo _table;
    private readonly int _lpmWidth;

    // Writer side: every entry by exact part, and the parts changed since the last Publish.
    private readonly Dictionary<ulong, Dictionary<EntryKey, StoredEntry>> _groups = [];
    private readonly HashSet<ulong> _touched = [];
    private LpmSnapshot _snapshot = LpmSnapshot.Empty;

    private LpmIndex(TableInfo table, int lpmWidth)
    {
        _table = table;
        _lpmWidth = lpmWidth;
    }

    /// <summary>The snapshot the data plane reads; replaced whole, never changed.</summary>
    public LpmSnapshot Snapshot => Volatile.Read(ref _snapshot);

    /// <summary>An index for <paramref name="table"/> when its key is exact fields (up to 64 bits together) and one LPM field of up to 64 bits; else null.</summary>
    public static LpmIndex? For(TableInfo table)
    {
        var lpmWidth = -1;
        var exactBits = 0;
        foreach (var field in table.MatchFields)
        {
            if (field.MatchType == MatchField.Types.MatchType.Lpm && lpmWidth < 0 && field.BitWidth <= 64)
            {
                lpmWidth = field.BitWidth;
            }
            else if (field.MatchType == MatchField.Types.MatchType.Exact)
            {
                exactBits += field.BitWidth;
            }
            else
            {
                return null;
            }
        }

        return lpmWidth > 0 && exactBits <= 64 ? new LpmIndex(table, lpmWidth) : null;
    }

    public void Set(EntryKey key, StoredEntry entry)
    {
        var exact = ExactPart(entry.Entry);
        if (!_groups.TryGetValue(exact, out var group))
        {
            _groups[exact] = group = [];
        }

        group[key] = entry;
        _touched.Add(exact);
    }

    public void Remove(EntryKey key, StoredEntry entry)
    {
        var exact = ExactPart(entry.Entry);
        if (_groups.TryGetValue(exact, out var group) && group.Remove(key))
        {
            if (group.Count == 0)
            {
                _groups.Remove(exact);
            }

            _touched.Add(exact);
        }
    }

    /// <summary>Makes every change since the last call visible to the data plane at once.</summary>
    public void Publish()
    {
        if (_touched.Count == 0)
        {
            return;
        }

        var next = new Dictionary<ulong, LpmSnapshot.PrefixSet>(Snapshot.Groups);
        foreach (var exact in _touched)
        {
            if (_groups.TryGetValue(exact, out var group))
            {
                next[exact] = Build(group.Values);
            }
            else
            {
                next.Remove(exact);
            }
        }

        _touched.Clear();
        Volatile.Write(ref _snapshot, new LpmSnapshot(next));
    }

    private LpmSnapshot.PrefixSet Build(IEnumerable<StoredEntry> entries)
    {
        var byLength = new SortedDictionary<int, Dictionary<ulong, StoredEntry>>(Comparer<int>.Create((a, b) => b.CompareTo(a)));
        foreach (var entry in entries)
        {
            var (value, prefix) = Prefix(entry.Entry);
            if (!byLength.TryGetValue(prefix, out var level))
            {
                byLength[prefix] = level = [];
            }

            level[value] = entry;
        }

        var levels = new LpmSnapshot.Level[byLength.Count];
        var i = 0;
        foreach (var (prefix, level) in byLength)
        {
            levels[i++] = new LpmSnapshot.Level(Mask(prefix), level);
        }

        return new LpmSnapshot.PrefixSet(levels);
    }

    private ulong Mask(int prefix)
    {
        // C# masks shift counts to 6 bits: a shift by 64 is no shift, so /0 and /64 are spelled out.
        var all = ulong.MaxValue >> (64 - _lpmWidth);
        return prefix == 0 ? 0 : prefix >= 64 ? all : all & ~(all >> prefix);
    }

    /// <summary>The exact fields packed in P4Info order, each shifted left by the widths of the exact fields after it.</summary>
    private ulong ExactPart(TableEntry entry)
    {
        ulong packed = 0;
        foreach (var field in _table.MatchFields)
        {
            if (field.MatchType != MatchField.Types.MatchType.Exact)
            {
                continue;
            }

            var match = Find(entry, field.Id);
            Debug.Assert(match is not null, "CompileKey requires every exact field");
            packed = (packed << field.BitWidth) | P4Bytes.ToUInt64(match.Exact.Value.Span);
        }

        return packed;
    }

    /// <summary>The LPM field's value and prefix length; an omitted field (a don't-care) is /0.</summary>
    private (ulong Value, int Prefix) Prefix(TableEntry entry)
    {
        foreach (var field in _table.MatchFields)
        {
            if (field.MatchType == MatchField.Types.MatchType.Lpm)
            {
                return Find(entry, field.Id) is { } match ? (P4Bytes.ToUInt64(match.Lpm.Value.Span), match.Lpm.PrefixLen) : (0, 0);
            }
        }

        return (0, 0);
    }

    private static FieldMatch? Find(TableEntry entry, uint fieldId)
    {
        foreach (var match in entry.Match)
        {
            if (match.FieldId == fieldId)
            {
                return match;
            }
        }

        return null;
    }
}
