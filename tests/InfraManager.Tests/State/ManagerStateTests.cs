using Google.Protobuf;
using InfraManager.State;
using Xunit;
using static InfraManager.Tests.State.Requests;

namespace InfraManager.Tests.State;

public sealed class ManagerStateTests
{
    private static readonly StateCommand[] Everything =
    [
        Pod("10.244.0.6", 2),
        Host(),
        Service(Web, "10.244.0.6:8080", "10.244.0.7:8080"),
        new RecordFelix("ActivePolicy/default/allow-dns", ByteString.CopyFrom(1, 2)),
        new RecordSnat(null, null, "10.244.0.0/16", IsAdd: true),
    ];

    // One change of each part of the state (the test's data is the index: StateCommand is internal).
    private static readonly StateCommand[] Edits =
    [
        Pod("10.244.0.9", 3),
        new DeletePod(Ip("10.244.0.6")),
        Host(mac: "00:09:00:08:b5:09"),
        Service(Web, "10.244.0.6:8080"),
        Service(Dns, "10.244.0.9:53"),
        new RecordFelix("ActivePolicy/default/allow-dns", ByteString.CopyFrom(1, 3)),
        new RecordSnat(null, null, "10.96.0.0/12", IsAdd: true),
        new RecordSnat("192.168.1.10", null, null, IsAdd: false),
    ];

    [Fact]
    public void SameContent_StatesBuiltApartFromTheSameRequests_IsTrue()
    {
        var a = Given(Everything);
        var b = Given(Everything);

        Assert.NotSame(a.Services, b.Services);
        Assert.True(a.SameContent(b));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    public void SameContent_OneThingDiffers_IsFalse(int editIndex)
    {
        var state = Given(Everything);
        var edit = Edits[editIndex];

        Assert.False(state.SameContent(state.Apply(edit)));
        Assert.False(state.Apply(edit).SameContent(state));
    }

    [Fact]
    public void SameContent_OtherCursors_IsFalse()
    {
        var state = Given(Everything);

        Assert.False(state.SameContent(state with { Cursors = new IdCursors(9, 9) }));
    }
}
