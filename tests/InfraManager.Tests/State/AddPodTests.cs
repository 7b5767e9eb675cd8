using InfraManager.State;
using Xunit;
using static InfraManager.Tests.State.Requests;

namespace InfraManager.Tests.State;

public sealed class AddPodTests
{
    [Fact]
    public void Apply_NewPod_RoutesItsIpToItsPort()
    {
        var state = Given(new AddPod(Ip("10.244.0.6"), Mac("02:00:00:00:00:06"), 2, "P4TAP_2"));

        Assert.Equal(new EndpointRecord(Ip("10.244.0.6"), Mac("02:00:00:00:00:06"), 2, "P4TAP_2", EndpointKind.Pod), state.Endpoints[Ip("10.244.0.6")]);
    }

    [Fact]
    public void Apply_SameRequestAgain_ReturnsTheSameState()
    {
        var state = Given(Pod("10.244.0.6", 2));

        Assert.Same(state, state.Apply(Pod("10.244.0.6", 2)));
    }

    [Fact]
    public void Apply_OtherMacOnTheSameIp_IsRejected()
    {
        var state = Given(Pod("10.244.0.6", 2));

        var error = Assert.Throws<CommandRejectedException>(() => state.Apply(new AddPod(Ip("10.244.0.6"), Mac("02:00:00:00:00:99"), 2, "P4TAP_2")));

        Assert.Equal("A different entry for 10.244.0.6 already exists: pod with mac 02:00:00:00:00:02 on P4TAP_2 (port 2)", error.Message);
    }

    [Fact]
    public void Apply_OtherPortOnTheSameIp_IsRejected()
    {
        var state = Given(Pod("10.244.0.6", 2));

        var error = Assert.Throws<CommandRejectedException>(() => state.Apply(new AddPod(Ip("10.244.0.6"), Mac("02:00:00:00:00:02"), 3, "P4TAP_2")));

        Assert.StartsWith("A different entry for 10.244.0.6 already exists", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_HostInterfaceIp_IsRejected()
    {
        var state = Given(Host(ip: "200.1.1.2"));

        var error = Assert.Throws<CommandRejectedException>(() => state.Apply(Pod("200.1.1.2", 2)));

        Assert.Equal("A different entry for 200.1.1.2 already exists: the host interface P4TAP_1 (port 1)", error.Message);
    }

    [Fact]
    public void Apply_GatewayIp_IsRejected()
    {
        var error = Assert.Throws<CommandRejectedException>(() => Given(Pod("169.254.1.1", 2)));

        Assert.StartsWith("169.254.1.1 is the pods' gateway address", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_SecondPod_KeepsTheFirst()
    {
        var state = Given(Pod("10.244.0.6", 2), Pod("10.244.0.7", 3));

        Assert.Equal([Ip("10.244.0.6"), Ip("10.244.0.7")], state.Endpoints.Keys);
    }

    [Fact]
    public void ToString_Pod_NamesIpMacAndPort()
    {
        Assert.Equal("pod 10.244.0.6 mac 02:00:00:00:00:02 on P4TAP_2 (port 2)", Pod("10.244.0.6", 2).ToString());
    }
}
