using InfraManager.State;
using Xunit;
using static InfraManager.Tests.State.Requests;

namespace InfraManager.Tests.State;

public sealed class DeletePodTests
{
    [Fact]
    public void Apply_KnownPod_RemovesIt()
    {
        var state = Given(Pod("10.244.0.6", 2), Pod("10.244.0.7", 3));

        var after = state.Apply(new DeletePod(Ip("10.244.0.6")));

        Assert.Equal([Ip("10.244.0.7")], after.Endpoints.Keys);
    }

    [Fact]
    public void Apply_UnknownIp_ReturnsTheSameState()
    {
        var state = Given(Pod("10.244.0.6", 2));

        Assert.Same(state, state.Apply(new DeletePod(Ip("10.244.0.9"))));
    }

    [Fact]
    public void Apply_HostInterfaceIp_IsRejected()
    {
        var state = Given(Host(ip: "200.1.1.2"));

        var error = Assert.Throws<CommandRejectedException>(() => state.Apply(new DeletePod(Ip("200.1.1.2"))));

        Assert.Equal("200.1.1.2 is not a pod: it is the host interface P4TAP_1 (port 1)", error.Message);
    }

    [Fact]
    public void Apply_NodeIp_IsRejected()
    {
        var state = Given(Host(nodeIp: "192.168.1.10"));

        var error = Assert.Throws<CommandRejectedException>(() => state.Apply(new DeletePod(Ip("192.168.1.10"))));

        Assert.Equal("192.168.1.10 is not a pod: it is the node IP, routed to the host interface (port 1)", error.Message);
    }
}
