using System.Collections.Concurrent;
using P4Pipeline;

namespace SoftTarget.Runtime;

internal sealed class ActionProfileState
{
    public ActionProfileState(ActionProfileInfo info)
    {
        Info = info;
    }

    public ActionProfileInfo Info { get; }

    public ConcurrentDictionary<uint, ProfileMember> Members { get; } = new();

    public ConcurrentDictionary<uint, ProfileGroup> Groups { get; } = new();
}
