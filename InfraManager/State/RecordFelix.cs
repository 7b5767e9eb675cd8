using InfraManager.Policy;
using Google.Protobuf;

namespace InfraManager.State;

/// <summary>
/// A Felix update (Value set) or removal (Value null) recorded under "Kind/id". A change to what the
/// ACL plan reads (policies, profiles, IP sets, workload endpoints) also renews the rule groups' ids.
/// </summary>
internal sealed record RecordFelix(string Key, ByteString? Value) : StateCommand
{
    public override ManagerState Apply(ManagerState state, IdAllocator ids)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (Value is null ? !state.Felix.ContainsKey(Key) : state.Felix.TryGetValue(Key, out var existing) && existing.Equals(Value))
        {
            return state;
        }

        var felix = Value is null ? state.Felix.Remove(Key) : state.Felix.SetItem(Key, Value);
        return state with { Felix = AclGroupIds.Affects(Key) ? AclGroupIds.Refresh(felix) : felix };
    }

    public override string ToString() => Value is null ? $"remove {Key}" : $"update {Key} ({Value.Length} bytes)";
}
