namespace SoftTarget.Runtime;

/// <summary>
/// One immutable state of an <see cref="LpmIndex"/>: per exact part, the prefix lengths present, longest
/// first, each a hash of masked values. A lookup costs one hash probe per prefix length of its exact part.
/// </summary>
internal sealed class LpmSnapshot
{
    public static readonly LpmSnapshot Empty = new([]);

    public LpmSnapshot(Dictionary<ulong, PrefixSet> groups)
    {
        Groups = groups;
    }

    /// <summary>Never changed after construction: readers take no lock. The next snapshot starts from a copy.</summary>
    public Dictionary<ulong, PrefixSet> Groups { get; }

    /// <summary>The entry with the longest prefix matching <paramref name="value"/> among those of <paramref name="exact"/>, or null.</summary>
    public StoredEntry? Find(ulong exact, ulong value)
    {
        if (!Groups.TryGetValue(exact, out var set))
        {
            return null;
        }

        foreach (var level in set.Levels)
        {
            if (level.Entries.TryGetValue(value & level.Mask, out var entry))
            {
                return entry;
            }
        }

        return null;
    }

    /// <summary>The entries of one exact part by prefix length, longest first.</summary>
    internal sealed record PrefixSet(Level[] Levels);

    /// <summary>The entries of one prefix length, by value (host bits zero, p4runtime-semantics.md).</summary>
    internal readonly record struct Level(ulong Mask, Dictionary<ulong, StoredEntry> Entries);
}
