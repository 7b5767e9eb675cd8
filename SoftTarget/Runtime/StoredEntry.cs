using Proto.P4.V1;

namespace SoftTarget.Runtime;

/// <summary>An installed table entry: the entry as written (canonical bytes, for Read) and its compiled action.</summary>
internal sealed record StoredEntry(TableEntry Entry, EntryAction Action)
{
    /// <summary>Learned by the data plane (add-on-miss), so it ages out.</summary>
    public bool Learned { get; init; }

    /// <summary>Last time a packet hit a learned entry (TimeProvider timestamp); written by data plane workers.</summary>
    public long LastHit;
}
