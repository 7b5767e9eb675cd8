namespace P4Pipeline;

/// <summary>An action profile or selector; Size bounds its members, MaxGroupSize each group (0: no bound).</summary>
public sealed record ActionProfileInfo(uint Id, string Name, string Alias, IReadOnlyList<uint> TableIds, bool WithSelector, long Size, int MaxGroupSize);
