using Proto.P4.V1;

namespace SoftTarget.Runtime;

/// <summary>An installed table entry: the entry as written (canonical bytes, for Read) and its compiled action.</summary>
internal sealed record StoredEntry(TableEntry Entry, EntryAction Action);
