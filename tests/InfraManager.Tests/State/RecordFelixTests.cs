using Google.Protobuf;
using InfraManager.State;
using Xunit;
using static InfraManager.Tests.State.Requests;

namespace InfraManager.Tests.State;

public sealed class RecordFelixTests
{
    private const string Key = "ActivePolicy/default/allow-dns";

    [Fact]
    public void Apply_Update_RecordsTheMessage()
    {
        var state = Given(new RecordFelix(Key, ByteString.CopyFrom(1, 2, 3)));

        Assert.Equal(ByteString.CopyFrom(1, 2, 3), state.Felix[Key]);
    }

    [Fact]
    public void Apply_SameUpdateAgain_ReturnsTheSameState()
    {
        var state = Given(new RecordFelix(Key, ByteString.CopyFrom(1, 2, 3)));

        Assert.Same(state, state.Apply(new RecordFelix(Key, ByteString.CopyFrom(1, 2, 3))));
    }

    [Fact]
    public void Apply_Removal_ForgetsTheKey()
    {
        var state = Given(new RecordFelix(Key, ByteString.CopyFrom(1)), new RecordFelix("IPSet/s:a", ByteString.CopyFrom(2)));

        var after = state.Apply(new RecordFelix(Key, null));

        Assert.Equal(["IPSet/s:a"], after.Felix.Keys);
    }

    [Fact]
    public void Apply_RemovalOfAnUnknownKey_ReturnsTheSameState()
    {
        var state = Given(new RecordFelix(Key, ByteString.CopyFrom(1)));

        Assert.Same(state, state.Apply(new RecordFelix("IPSet/s:a", null)));
    }
}
