using System.Globalization;

namespace InfraManager.State;

/// <summary>
/// NatTranslationAdd: the service port balances over exactly <paramref name="Backends"/> (deduplicated).
/// Backends it keeps keep their member ids, so connections pinned to them live on; new ones get fresh
/// ids; an empty list unprograms the service.
/// </summary>
internal sealed record SetService(ServiceKey Key, IReadOnlyList<BackendAddress> Backends) : StateCommand
{
    public override ManagerState Apply(ManagerState state, IdAllocator ids)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(ids);
        var wanted = Backends.Distinct().Order().ToList();
        state.Services.TryGetValue(Key, out var existing);
        if (wanted.Count == 0)
        {
            return existing is null ? state : DeleteService.Without(state, existing, ids);
        }

        if (existing is not null && existing.Backends.Select(b => b.Address).SequenceEqual(wanted))
        {
            return state;
        }

        var cursors = state.Cursors;
        var groupId = existing?.GroupId ?? ids.AllocateGroup(ref cursors);
        var backends = new List<Backend>(wanted.Count);
        foreach (var address in wanted)
        {
            backends.Add(existing?.Find(address) ?? new Backend(address, ids.AllocateMember(ref cursors)));
        }

        if (existing is not null)
        {
            foreach (var gone in existing.Backends.Where(b => !wanted.Contains(b.Address)))
            {
                ids.ReleaseMember(gone.MemberId);
            }
        }

        return state with { Services = state.Services.SetItem(Key, new ServiceRecord(Key, groupId, backends)), Cursors = cursors };
    }

    public override string ToString() =>
        $"service {Key} with {Backends.Count.ToString(CultureInfo.InvariantCulture)} backends [{string.Join(' ', Backends.Take(16))}{(Backends.Count > 16 ? " ..." : string.Empty)}]";
}
