namespace SoftTarget.Runtime;

/// <summary>
/// A table entry's identity. Exact keys of up to 128 bits pack into <see cref="Packed"/> (fields in
/// P4Info order), which the data plane builds from headers for a lookup; other keys (LPM, ternary,
/// wider) also carry a canonical text of fields, prefixes, masks and priority in <see cref="Wide"/>.
/// </summary>
internal readonly record struct EntryKey(UInt128 Packed, string? Wide);
