using InfraManager.State;
using Xunit;
using static InfraManager.Tests.State.Requests;

namespace InfraManager.Tests.State;

public sealed class SetServiceTests
{
    [Fact]
    public void Apply_NewService_GivesAGroupIdAndOneDistinctMemberIdPerBackend()
    {
        var state = Given(Service(Web, "10.244.0.6:8080", "10.244.0.7:8080", "10.244.0.8:8080"));

        var service = state.Services[Web];
        Assert.NotEqual(0u, service.GroupId);
        Assert.Equal([Backend("10.244.0.6:8080"), Backend("10.244.0.7:8080"), Backend("10.244.0.8:8080")], service.Backends.Select(b => b.Address));
        var members = service.Backends.Select(b => b.MemberId).ToList();
        Assert.DoesNotContain(0u, members);
        Assert.Equal(3, members.Distinct().Count());
    }

    [Fact]
    public void Apply_FortyBackends_GivesFortyDistinctMemberIds()
    {
        // The Go original derived member ids from a 4-bit field: the 17th backend collided with the first.
        var backends = Enumerable.Range(1, 40).Select(i => $"10.244.1.{i}:8080").ToArray();

        var state = Given(Service(Web, backends));

        var members = state.Services[Web].Backends.Select(b => b.MemberId).ToList();
        Assert.Equal(40, members.Count);
        Assert.Equal(40, members.Distinct().Count());
        Assert.All(members, id => Assert.InRange(id, 1u, IdAllocator.MaxId));
    }

    [Fact]
    public void Apply_SameBackendsAgain_ReturnsTheSameState()
    {
        var state = Given(Service(Web, "10.244.0.6:8080", "10.244.0.7:8080"));

        Assert.Same(state, state.Apply(Service(Web, "10.244.0.6:8080", "10.244.0.7:8080")));
        Assert.Same(state, state.Apply(Service(Web, "10.244.0.7:8080", "10.244.0.6:8080", "10.244.0.7:8080")));
    }

    [Fact]
    public void Apply_BackendsChanged_KeepsTheIdsOfBackendsThatStay()
    {
        var before = Given(Service(Web, "10.244.0.6:8080", "10.244.0.7:8080"));
        var old = before.Services[Web];

        // 10.244.0.7:9090 is the same pod on another port: a new backend, not the one on 8080.
        var after = before.Apply(Service(Web, "10.244.0.7:8080", "10.244.0.7:9090", "10.244.0.8:8080"));

        var service = after.Services[Web];
        Assert.Equal(old.GroupId, service.GroupId);
        Assert.Equal(MemberOf(old, "10.244.0.7:8080"), MemberOf(service, "10.244.0.7:8080"));
        Assert.Null(service.Find(Backend("10.244.0.6:8080")));
        var fresh = new[] { MemberOf(service, "10.244.0.7:9090"), MemberOf(service, "10.244.0.8:8080") };
        Assert.Empty(fresh.Intersect(old.Backends.Select(b => b.MemberId)));
        Assert.Equal(2, fresh.Distinct().Count());
    }

    [Fact]
    public void Apply_DuplicateBackends_ProgramsEachOnce()
    {
        var state = Given(Service(Web, "10.244.0.6:8080", "10.244.0.6:8080", "10.244.0.7:8080", "10.244.0.6:8080"));

        Assert.Equal([Backend("10.244.0.6:8080"), Backend("10.244.0.7:8080")], state.Services[Web].Backends.Select(b => b.Address));
    }

    [Fact]
    public void Apply_NoBackends_RemovesTheService()
    {
        var state = Given(Service(Web, "10.244.0.6:8080"), Service(Dns, "10.244.0.9:53"));

        var after = state.Apply(Service(Web));

        Assert.False(after.Services.ContainsKey(Web));
        Assert.Same(state.Services[Dns], after.Services[Dns]);
    }

    [Fact]
    public void Apply_NoBackendsForAnUnknownService_ReturnsTheSameState()
    {
        var state = Given(Service(Dns, "10.244.0.9:53"));

        Assert.Same(state, state.Apply(Service(Web)));
    }

    [Fact]
    public void Apply_NewIds_AdvanceTheCursors()
    {
        var state = Given(Service(Web, "10.244.0.6:8080", "10.244.0.7:8080"));

        Assert.Equal(new IdCursors(NextMemberId: 3, NextGroupId: 2), state.Cursors);
    }

    [Fact]
    public void Apply_AfterAServiceWasDeleted_DoesNotReuseItsIdsAtOnce()
    {
        var first = Given(Service(Web, "10.244.0.6:8080", "10.244.0.7:8080"));
        var freed = first.Services[Web];

        var state = first.Apply(new DeleteService(Web), Service(Auth, "10.244.0.6:8443", "10.244.0.7:8443"));

        var service = state.Services[Auth];
        Assert.NotEqual(freed.GroupId, service.GroupId);
        Assert.Empty(service.Backends.Select(b => b.MemberId).Intersect(freed.Backends.Select(b => b.MemberId)));
    }

    [Fact]
    public void Apply_BackendReplaced_DoesNotGiveTheNewOneTheFreedId()
    {
        var first = Given(Service(Web, "10.244.0.6:8080", "10.244.0.7:8080"));
        var freed = MemberOf(first.Services[Web], "10.244.0.7:8080");

        var state = first.Apply(Service(Web, "10.244.0.6:8080"), Service(Web, "10.244.0.6:8080", "10.244.0.8:8080"));

        Assert.NotEqual(freed, MemberOf(state.Services[Web], "10.244.0.8:8080"));
    }

    [Fact]
    public void Apply_TwoServices_GetDistinctGroupsAndMembers()
    {
        var state = Given(Service(Web, "10.244.0.6:8080"), Service(Auth, "10.244.0.6:8080"));

        Assert.NotEqual(state.Services[Web].GroupId, state.Services[Auth].GroupId);
        Assert.NotEqual(state.Services[Web].Backends[0].MemberId, state.Services[Auth].Backends[0].MemberId);
    }

    private static uint MemberOf(ServiceRecord service, string backend) =>
        service.Find(Backend(backend))?.MemberId ?? throw new Xunit.Sdk.XunitException($"{backend} is not a backend of {service.Key}");
}
