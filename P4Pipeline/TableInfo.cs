using Proto.P4.Config.V1;

namespace P4Pipeline;

/// <summary>A table of the P4Info: its key, the actions it allows (with their scope), default, size.</summary>
public sealed record TableInfo(
    uint Id,
    string Name,
    string Alias,
    IReadOnlyList<MatchFieldInfo> MatchFields,
    IReadOnlyDictionary<uint, ActionRef.Types.Scope> Actions,
    uint ConstDefaultActionId,
    uint ImplementationId,
    long Size,
    bool IdleTimeoutNotify,
    bool IsConstTable)
{
    /// <summary>Exact (or optional-free) keys only: entries carry no priority.</summary>
    public bool NeedsPriority => MatchFields.Any(f => f.MatchType is MatchField.Types.MatchType.Ternary or MatchField.Types.MatchType.Range or MatchField.Types.MatchType.Optional);

    public int KeyBits => MatchFields.Sum(f => f.BitWidth);

    public MatchFieldInfo? FindField(uint id) => MatchFields.FirstOrDefault(f => f.Id == id);

    public MatchFieldInfo Field(string name) =>
        MatchFields.FirstOrDefault(f => f.Name == name) ?? throw new P4InfoException($"table {Name} has no match field '{name}'");
}
