namespace InfraManager.State;

/// <summary>
/// Hands out member ids and group ids: 24-bit values (they are also mod_blob_ptr keys), never 0,
/// unique among the state's services, searched from the state's cursors round the whole space so a
/// freed id comes back only after every other one was used. Owned by the one writer; rebuilt from the
/// committed state after a batch is abandoned.
/// </summary>
internal sealed class IdAllocator
{
    public const uint MaxId = 0xFF_FFFF;

    private readonly HashSet<uint> _members = [];
    private readonly HashSet<uint> _groups = [];

    public static IdAllocator From(ManagerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var allocator = new IdAllocator();
        foreach (var service in state.Services.Values)
        {
            allocator._groups.Add(service.GroupId);
            foreach (var backend in service.Backends)
            {
                allocator._members.Add(backend.MemberId);
            }
        }

        return allocator;
    }

    /// <summary>A free member id at or after <paramref name="cursors"/>' member cursor; the cursor moves past it.</summary>
    /// <exception cref="Tables.CapacityException">All 2^24 - 1 ids are in use.</exception>
    public uint AllocateMember(ref IdCursors cursors)
    {
        var id = Allocate(_members, cursors.NextMemberId, "member");
        cursors = cursors with { NextMemberId = Next(id) };
        return id;
    }

    /// <summary>A free group id at or after the group cursor; the cursor moves past it.</summary>
    public uint AllocateGroup(ref IdCursors cursors)
    {
        var id = Allocate(_groups, cursors.NextGroupId, "group");
        cursors = cursors with { NextGroupId = Next(id) };
        return id;
    }

    public void ReleaseMember(uint id) => _members.Remove(id);

    public void ReleaseGroup(uint id) => _groups.Remove(id);

    private static uint Allocate(HashSet<uint> used, uint cursor, string what)
    {
        if (used.Count >= MaxId)
        {
            throw new Tables.CapacityException($"no free {what} id: all {MaxId} are in use");
        }

        var id = cursor is 0 or > MaxId ? 1 : cursor;
        while (used.Contains(id))
        {
            id = Next(id);
        }

        used.Add(id);
        return id;
    }

    private static uint Next(uint id) => id >= MaxId ? 1 : id + 1;
}
