using FsCheck.Xunit;
using InfraManager.State;
using Xunit;
using static InfraManager.Tests.State.Requests;

namespace InfraManager.Tests.State;

public sealed class IdAllocatorTests
{
    private const uint MaxId = IdAllocator.MaxId;

    /// <summary>
    /// Any run of allocations and releases of members and groups, with the cursor now and then set back
    /// (as a state imported or restored with older cursors has it) to 0, beyond the space, or into the
    /// first or last ids where the live ones are: every id handed out is in 1..0xFFFFFF, not live, the
    /// first free one at or after the cursor (round the space), and the cursor moves just past it.
    /// </summary>
    [Property(MaxTest = 500)]
    public bool Allocate_RandomAllocationsReleasesAndCursors_HandsOutTheFirstFreeIdAfterTheCursor(int[] operations, byte start)
    {
        var ids = new IdAllocator();
        var cursors = new IdCursors(Cursor(start), Cursor((byte)(start >> 2)));
        var live = new[] { new List<uint>(), new List<uint>() };
        foreach (var operation in operations)
        {
            var value = unchecked((uint)operation);
            var group = (value & 1) == 1;
            var used = live[group ? 1 : 0];
            switch (value / 2 % 4)
            {
                case 0 when used.Count > 0:
                    var released = used[(int)(value / 8 % (uint)used.Count)];
                    used.Remove(released);
                    if (group)
                    {
                        ids.ReleaseGroup(released);
                    }
                    else
                    {
                        ids.ReleaseMember(released);
                    }

                    break;
                case 1:
                    var moved = Cursor((byte)(value >> 3));
                    cursors = group ? cursors with { NextGroupId = moved } : cursors with { NextMemberId = moved };
                    break;
                default:
                    // A few at once, as a service with several backends takes them: runs of live ids form.
                    for (var count = 1 + (value / 8 % 4); count > 0; count--)
                    {
                        var cursor = group ? cursors.NextGroupId : cursors.NextMemberId;
                        var id = group ? ids.AllocateGroup(ref cursors) : ids.AllocateMember(ref cursors);
                        var next = group ? cursors.NextGroupId : cursors.NextMemberId;
                        if (id is 0 or > MaxId || used.Contains(id) || !OnlyLiveIdsBetween(used, cursor, id) || next != (id == MaxId ? 1 : id + 1))
                        {
                            return false;
                        }

                        used.Add(id);
                    }

                    break;
            }
        }

        return true;
    }

    [Fact]
    public void AllocateMember_CursorAtTheLastId_WrapsToOne()
    {
        var ids = new IdAllocator();
        var cursors = new IdCursors(MaxId, 1);

        Assert.Equal(MaxId, ids.AllocateMember(ref cursors));
        Assert.Equal(1u, cursors.NextMemberId);
        Assert.Equal(1u, ids.AllocateMember(ref cursors));
    }

    [Fact]
    public void AllocateMember_WrappingPastUsedIds_SkipsThem()
    {
        // Members 0xFFFFFF, 1 and 2 are live: from the last id the search wraps and lands on 3.
        var state = ManagerState.Empty.Apply(Service(Web, "10.244.0.6:8080", "10.244.0.7:8080")) with { Cursors = new IdCursors(MaxId, 2) };
        state = state.Apply(Service(Auth, "10.244.0.8:8443"));
        Assert.Equal(MaxId, state.Services[Auth].Backends[0].MemberId);
        var ids = IdAllocator.From(state);
        var cursors = new IdCursors(MaxId, 1);

        Assert.Equal(3u, ids.AllocateMember(ref cursors));
        Assert.Equal(4u, cursors.NextMemberId);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(MaxId + 1)]
    [InlineData(uint.MaxValue)]
    public void AllocateGroup_CursorOutsideTheSpace_StartsAtOne(uint cursor)
    {
        var ids = new IdAllocator();
        var cursors = new IdCursors(1, cursor);

        Assert.Equal(1u, ids.AllocateGroup(ref cursors));
        Assert.Equal(2u, cursors.NextGroupId);
    }

    [Fact]
    public void From_State_KnowsTheStatesIds()
    {
        var state = Given(Service(Web, "10.244.0.6:8080", "10.244.0.7:8080"));
        var ids = IdAllocator.From(state);
        var cursors = IdCursors.Initial;

        Assert.Equal(2u, ids.AllocateGroup(ref cursors));
        Assert.Equal(3u, ids.AllocateMember(ref cursors));
    }

    [Fact]
    public void AllocateMember_MembersAndGroups_AreSeparateSpaces()
    {
        var ids = new IdAllocator();
        var cursors = IdCursors.Initial;

        Assert.Equal(1u, ids.AllocateGroup(ref cursors));
        Assert.Equal(1u, ids.AllocateMember(ref cursors));
    }

    [Fact]
    public void ReleaseMember_FreedId_ComesBackOnlyAfterTheSearchWraps()
    {
        var ids = new IdAllocator();
        var cursors = IdCursors.Initial;
        var first = ids.AllocateMember(ref cursors);
        ids.ReleaseMember(first);

        Assert.Equal(2u, ids.AllocateMember(ref cursors));
        cursors = cursors with { NextMemberId = MaxId };
        Assert.Equal(MaxId, ids.AllocateMember(ref cursors));
        Assert.Equal(first, ids.AllocateMember(ref cursors));
    }

    // Among the first or the last ids of the space (so that searches wrap and meet live ids), at 0 or beyond the space.
    private static uint Cursor(byte seed) => (seed % 8) switch
    {
        0 => 0,
        1 => MaxId + 1 + seed,
        2 or 3 or 4 => 1u + (seed % 32u),
        _ => MaxId - (seed % 32u),
    };

    /// <summary>Whether every id from <paramref name="cursor"/> up to <paramref name="id"/> (exclusive, round the space) is live.</summary>
    private static bool OnlyLiveIdsBetween(List<uint> live, uint cursor, uint id)
    {
        var at = cursor is 0 or > MaxId ? 1 : cursor;
        for (var steps = 0; at != id; steps++)
        {
            if (steps > live.Count || !live.Contains(at))
            {
                return false;
            }

            at = at == MaxId ? 1 : at + 1;
        }

        return true;
    }
}
