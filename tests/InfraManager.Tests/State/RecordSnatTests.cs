using InfraManager.State;
using Xunit;
using static InfraManager.Tests.State.Requests;

namespace InfraManager.Tests.State;

public sealed class RecordSnatTests
{
    [Fact]
    public void Apply_Address_RecordsBothFamilies()
    {
        var state = Given(new RecordSnat("192.168.1.10", "fd00::10", null, IsAdd: false));

        Assert.Equal("192.168.1.10", state.Snat.Ipv4);
        Assert.Equal("fd00::10", state.Snat.Ipv6);
    }

    [Fact]
    public void Apply_SameAddressAgain_ReturnsTheSameState()
    {
        var state = Given(new RecordSnat("192.168.1.10", null, null, IsAdd: false));

        Assert.Same(state, state.Apply(new RecordSnat("192.168.1.10", null, null, IsAdd: false)));
    }

    [Fact]
    public void Apply_PrefixAddedAndDeleted_KeepsTheOthers()
    {
        var state = Given(new RecordSnat(null, null, "10.244.0.0/16", IsAdd: true), new RecordSnat(null, null, "10.96.0.0/12", IsAdd: true));

        var after = state.Apply(new RecordSnat(null, null, "10.244.0.0/16", IsAdd: false));

        Assert.Equal(["10.96.0.0/12"], after.Snat.Prefixes);
    }

    [Fact]
    public void Apply_DeleteOfAnUnknownPrefix_ReturnsTheSameState()
    {
        var state = Given(new RecordSnat(null, null, "10.244.0.0/16", IsAdd: true));

        Assert.Same(state, state.Apply(new RecordSnat(null, null, "10.96.0.0/12", IsAdd: false)));
    }
}
