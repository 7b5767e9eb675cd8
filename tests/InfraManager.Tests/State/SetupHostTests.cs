using InfraManager.State;
using Xunit;
using static InfraManager.Tests.State.Requests;

namespace InfraManager.Tests.State;

public sealed class SetupHostTests
{
    [Fact]
    public void Apply_First_RoutesTheHostAndNodeIpsToTheHostPort()
    {
        var state = Given(Host(ip: "200.1.1.2", nodeIp: "192.168.1.10", mac: "00:09:00:08:b5:01", port: 1));

        Assert.Equal(new HostInterfaceRecord("P4TAP_1", Ip("200.1.1.2"), Mac("00:09:00:08:b5:01"), 1, Ip("192.168.1.10")), state.Host);
        Assert.Equal(
            [
                new EndpointRecord(Ip("192.168.1.10"), Mac("00:09:00:08:b5:01"), 1, "P4TAP_1", EndpointKind.NodeIp),
                new EndpointRecord(Ip("200.1.1.2"), Mac("00:09:00:08:b5:01"), 1, "P4TAP_1", EndpointKind.HostInterface),
            ],
            state.Endpoints.Values);
    }

    [Fact]
    public void Apply_SameRequestAgain_ReturnsTheSameState()
    {
        var state = Given(Host());

        Assert.Same(state, state.Apply(Host()));
    }

    [Fact]
    public void Apply_NewIps_ReplaceTheOldEntries()
    {
        var state = Given(Pod("10.244.0.6", 2), Host(ip: "200.1.1.2", nodeIp: "192.168.1.10"));

        var after = state.Apply(Host(ip: "200.1.1.3", nodeIp: "192.168.1.11"));

        Assert.Equal([Ip("10.244.0.6"), Ip("192.168.1.11"), Ip("200.1.1.3")], after.Endpoints.Keys);
        Assert.Equal(Ip("200.1.1.3"), after.Host?.Ip);
    }

    [Fact]
    public void Apply_NewMac_UpdatesBothEntries()
    {
        var state = Given(Host(mac: "00:09:00:08:b5:01"));

        var after = state.Apply(Host(mac: "00:09:00:08:b5:02"));

        Assert.Equal(2, after.Endpoints.Count);
        Assert.All(after.Endpoints.Values, e => Assert.Equal(Mac("00:09:00:08:b5:02"), e.Mac));
    }

    [Fact]
    public void Apply_NodeIpIsTheHostIp_GivesOneEntry()
    {
        var state = Given(Host(ip: "192.168.1.10", nodeIp: "192.168.1.10"));

        var endpoint = Assert.Single(state.Endpoints.Values);
        Assert.Equal(EndpointKind.HostInterface, endpoint.Kind);
        Assert.Equal(Ip("192.168.1.10"), endpoint.Ip);
    }

    [Fact]
    public void Apply_NodeIpMovesOntoTheHostIp_DropsTheSeparateNodeEntry()
    {
        var state = Given(Host(ip: "192.168.1.10", nodeIp: "192.168.1.11"));

        var after = state.Apply(Host(ip: "192.168.1.10", nodeIp: "192.168.1.10"));

        Assert.Equal([Ip("192.168.1.10")], after.Endpoints.Keys);
    }

    [Fact]
    public void Apply_IpOfAPod_IsRejected()
    {
        var state = Given(Pod("10.244.0.6", 2));

        var error = Assert.Throws<CommandRejectedException>(() => state.Apply(Host(nodeIp: "10.244.0.6")));

        Assert.Equal("A different entry for 10.244.0.6 already exists: pod with mac 02:00:00:00:00:02 on P4TAP_2 (port 2)", error.Message);
    }

    [Theory]
    [InlineData("169.254.1.1", "192.168.1.10")]
    [InlineData("200.1.1.2", "169.254.1.1")]
    public void Apply_GatewayIp_IsRejected(string ip, string nodeIp)
    {
        var error = Assert.Throws<CommandRejectedException>(() => Given(Host(ip: ip, nodeIp: nodeIp)));

        Assert.Equal("169.254.1.1 is the pods' gateway address (the ARP proxy's)", error.Message);
    }
}
