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
    /// <summary>Ternary, range or optional fields: entries need a priority.</summary>
    public bool NeedsPriority { get; } = MatchFields.Any(f => f.MatchType is MatchField.Types.MatchType.Ternary or MatchField.Types.MatchType.Range or MatchField.Types.MatchType.Optional);

    public bool AllExact { get; } = MatchFields.All(f => f.MatchType == MatchField.Types.MatchType.Exact);

    public int KeyBits { get; } = MatchFields.Sum(f => f.BitWidth);

    public MatchFieldInfo? FindField(uint id) => MatchFields.FirstOrDefault(f => f.Id == id);

    public MatchFieldInfo Field(string name) =>
        MatchFields.FirstOrDefault(f => f.Name == name) ?? throw new P4InfoException($"table {Name} has no match field '{name}'");
}
