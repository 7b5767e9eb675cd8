namespace InfraManager.State;

/// <summary>NatTranslationDelete: unprogram the service port. An unknown one is nothing to do.</summary>
internal sealed record DeleteService(ServiceKey Key) : StateCommand
{
    public override ManagerState Apply(ManagerState state, IdAllocator ids)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(ids);
        return state.Services.TryGetValue(Key, out var existing) ? Without(state, existing, ids) : state;
    }

    public override string ToString() => $"service {Key}";

    internal static ManagerState Without(ManagerState state, ServiceRecord service, IdAllocator ids)
    {
        ids.ReleaseGroup(service.GroupId);
        foreach (var backend in service.Backends)
        {
            ids.ReleaseMember(backend.MemberId);
        }

        return state with { Services = state.Services.Remove(service.Key) };
    }
}
