using InfraManager.State;
using Proto.Felix;
using Xunit;
using static InfraManager.Tests.State.Requests;

namespace InfraManager.Tests.State;

public sealed class RecordIpSetDeltaTests
{
    [Fact]
    public void Apply_UnknownSet_CreatesItWithTheAddedMembers()
    {
        var state = Given(new RecordIpSetDelta("s:a", ["10.244.0.6/32", "10.244.0.7/32"], []));

        Assert.Equal(["10.244.0.6/32", "10.244.0.7/32"], Members(state, "s:a"));
        Assert.Equal("s:a", IPSetUpdate.Parser.ParseFrom(state.Felix["IPSet/s:a"]).Id);
    }

    [Fact]
    public void Apply_Delta_RemovesAndAddsMembersWithoutDuplicates()
    {
        var state = Given(new RecordIpSetDelta("s:a", ["10.244.0.6/32", "10.244.0.7/32"], []));

        var after = state.Apply(new RecordIpSetDelta("s:a", ["10.244.0.7/32", "10.244.0.8/32"], ["10.244.0.6/32"]));

        Assert.Equal(["10.244.0.7/32", "10.244.0.8/32"], Members(after, "s:a"));
    }

    [Fact]
    public void Apply_DeltaThatChangesNothing_ReturnsTheSameState()
    {
        var state = Given(new RecordIpSetDelta("s:a", ["10.244.0.6/32"], []));

        Assert.Same(state, state.Apply(new RecordIpSetDelta("s:a", ["10.244.0.6/32"], ["10.244.0.9/32"])));
    }

    private static string[] Members(ManagerState state, string id) =>
        [.. IPSetUpdate.Parser.ParseFrom(state.Felix[RecordIpSetDelta.KeyOf(id)]).Members];
}
