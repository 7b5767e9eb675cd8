using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using P4Pipeline;

namespace SoftTarget.Runtime;

/// <summary>
/// A table's entries. One writer (the device's write gate) and many readers (data plane workers,
/// Read RPCs) at once: the dictionary is concurrent, entries are immutable and replaced whole. A table
/// with an LPM field also keeps an <see cref="LpmIndex"/>, whose changes the data plane sees from <see cref="Publish"/> on.
/// </summary>
internal sealed class TableState
{
    private StoredEntry? _defaultEntry;
    private int _count;

    public TableState(TableInfo info)
    {
        Info = info;
        Lpm = LpmIndex.For(info);
    }

    public TableInfo Info { get; }

    /// <summary>The longest-prefix index of an exact + LPM table; null for other tables.</summary>
    public LpmIndex? Lpm { get; }

    /// <summary>Read freely; change only through the methods below, which keep <see cref="Count"/>.</summary>
    public ConcurrentDictionary<EntryKey, StoredEntry> Entries { get; } = new();

    /// <summary>The number of entries, without ConcurrentDictionary.Count's taking of every lock.</summary>
    public int Count => Volatile.Read(ref _count);

    public bool TryAdd(EntryKey key, StoredEntry entry)
    {
        if (!Entries.TryAdd(key, entry))
        {
            return false;
        }

        Interlocked.Increment(ref _count);
        Lpm?.Set(key, entry);
        return true;
    }

    public bool TryRemove(EntryKey key, [MaybeNullWhen(false)] out StoredEntry entry)
    {
        if (!Entries.TryRemove(key, out entry))
        {
            return false;
        }

        Interlocked.Decrement(ref _count);
        Lpm?.Remove(key, entry);
        return true;
    }

    /// <summary>Replaces an entry that exists (MODIFY).</summary>
    public void Replace(EntryKey key, StoredEntry entry)
    {
        Entries[key] = entry;
        Lpm?.Set(key, entry);
    }

    /// <summary>Hands the writes since the last call to the data plane's LPM lookups (the writer, once per Write).</summary>
    public void Publish() => Lpm?.Publish();

    /// <summary>The default action written with is_default_action; null while the program's own default applies.</summary>
    public StoredEntry? DefaultEntry
    {
        get => Volatile.Read(ref _defaultEntry);
        set => Volatile.Write(ref _defaultEntry, value);
    }
}
