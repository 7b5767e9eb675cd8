using InfraManager.Policy;
using Google.Protobuf;
using Proto.Felix;

namespace InfraManager.State;

/// <summary>UpdateIPSetDelta: applies added/removed members to the recorded IPSetUpdate (creating it when Felix sent none).</summary>
internal sealed record RecordIpSetDelta(string Id, IReadOnlyList<string> Added, IReadOnlyList<string> Removed) : StateCommand
{
    public static string KeyOf(string id) => "IPSet/" + id;

    public override ManagerState Apply(ManagerState state, IdAllocator ids)
    {
        ArgumentNullException.ThrowIfNull(state);
        var key = KeyOf(Id);
        var set = state.Felix.TryGetValue(key, out var bytes) ? IPSetUpdate.Parser.ParseFrom(bytes) : new IPSetUpdate { Id = Id };
        var members = new List<string>(set.Members.Where(m => !Removed.Contains(m)));
        members.AddRange(Added.Where(m => !members.Contains(m)));
        set.Members.Clear();
        set.Members.AddRange(members);
        var value = set.ToByteString();
        return bytes is not null && bytes.Equals(value) ? state : state with { Felix = AclGroupIds.Refresh(state.Felix.SetItem(key, value)) };
    }

    public override string ToString() => $"ipset {Id}: +{Added.Count} -{Removed.Count} members";
}
