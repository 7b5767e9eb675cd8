using InfraManager.State;
using Xunit;
using static InfraManager.Tests.State.Requests;

namespace InfraManager.Tests.State;

public sealed class DeleteServiceTests
{
    [Fact]
    public void Apply_KnownService_RemovesItAndKeepsTheOthers()
    {
        var state = Given(Service(Web, "10.244.0.6:8080"), Service(Dns, "10.244.0.9:53"));

        var after = state.Apply(new DeleteService(Web));

        Assert.Equal([Dns], after.Services.Keys);
    }

    [Fact]
    public void Apply_UnknownService_ReturnsTheSameState()
    {
        var state = Given(Service(Dns, "10.244.0.9:53"));

        Assert.Same(state, state.Apply(new DeleteService(Web)));
    }

    [Fact]
    public void Apply_KnownService_ReleasesItsIds()
    {
        var state = Given(Service(Web, "10.244.0.6:8080", "10.244.0.7:8080"));
        var ids = IdAllocator.From(state);

        new DeleteService(Web).Apply(state, ids);

        // From the start of the space again, the freed ids are the first ones handed out.
        var cursors = IdCursors.Initial;
        Assert.Equal(1u, ids.AllocateGroup(ref cursors));
        Assert.Equal(1u, ids.AllocateMember(ref cursors));
        Assert.Equal(2u, ids.AllocateMember(ref cursors));
    }
}
