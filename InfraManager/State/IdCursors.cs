namespace InfraManager.State;

/// <summary>
/// Where the next member id and group id search starts. Ids are handed out round the 24-bit space
/// rather than lowest-free, so a freed id is not reused at once while pinned flows the data plane
/// learnt may still point at it.
/// </summary>
internal readonly record struct IdCursors(uint NextMemberId, uint NextGroupId)
{
    public static IdCursors Initial { get; } = new(1, 1);
}
