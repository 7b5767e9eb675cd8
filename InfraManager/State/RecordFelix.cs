using Google.Protobuf;

namespace InfraManager.State;

/// <summary>A Felix update (Value set) or removal (Value null) recorded under "Kind/id"; the policy issue gives them effect.</summary>
internal sealed record RecordFelix(string Key, ByteString? Value) : StateCommand
{
    public override ManagerState Apply(ManagerState state, IdAllocator ids)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (Value is null)
        {
            return state.Felix.ContainsKey(Key) ? state with { Felix = state.Felix.Remove(Key) } : state;
        }

        return state.Felix.TryGetValue(Key, out var existing) && existing.Equals(Value)
            ? state
            : state with { Felix = state.Felix.SetItem(Key, Value) };
    }

    public override string ToString() => Value is null ? $"remove {Key}" : $"update {Key} ({Value.Length} bytes)";
}
