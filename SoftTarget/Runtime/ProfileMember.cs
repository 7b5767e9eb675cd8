using Proto.P4.V1;

namespace SoftTarget.Runtime;

/// <summary>An action profile member; groups and table entries reference it (counted, so it cannot be deleted under them).</summary>
internal sealed class ProfileMember
{
    private EntryAction _action;

    public ProfileMember(ActionProfileMember written, EntryAction action)
    {
        Written = written;
        _action = action;
    }

    public ActionProfileMember Written { get; set; }

    public EntryAction Action
    {
        get => Volatile.Read(ref _action);
        set => Volatile.Write(ref _action, value);
    }

    public int References { get; set; }
}
