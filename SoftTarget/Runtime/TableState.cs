using System.Collections.Concurrent;
using P4Pipeline;

namespace SoftTarget.Runtime;

/// <summary>
/// A table's entries. One writer (the device's write gate) and many readers (data plane workers,
/// Read RPCs) at once: the dictionary is concurrent, entries are immutable and replaced whole.
/// </summary>
internal sealed class TableState
{
    private StoredEntry? _defaultEntry;

    public TableState(TableInfo info)
    {
        Info = info;
    }

    public TableInfo Info { get; }

    public ConcurrentDictionary<EntryKey, StoredEntry> Entries { get; } = new();

    /// <summary>The default action written with is_default_action; null while the program's own default applies.</summary>
    public StoredEntry? DefaultEntry
    {
        get => Volatile.Read(ref _defaultEntry);
        set => Volatile.Write(ref _defaultEntry, value);
    }
}
