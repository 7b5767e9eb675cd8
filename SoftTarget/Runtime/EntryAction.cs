namespace SoftTarget.Runtime;

/// <summary>What an entry (or a profile member) does: an action with its parameters, or a member or group reference.</summary>
internal sealed record EntryAction(EntryActionKind Kind, uint Id, ulong[] Params)
{
    public static EntryAction Member(uint id) => new(EntryActionKind.Member, id, []);

    public static EntryAction Group(uint id) => new(EntryActionKind.Group, id, []);
}
