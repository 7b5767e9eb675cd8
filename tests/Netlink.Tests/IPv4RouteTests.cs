using Packets;
using Xunit;

namespace Netlink.Tests;

public sealed class IPv4RouteTests
{
    [Fact]
    public void ToString_EveryPart_ReadsLikeIpRoute()
    {
        var route = new IPv4Route(IPv4Prefix.Parse("10.96.0.0/12"), "eth0", IPv4Address.Parse("169.254.1.1"), RouteScope.Link, 100);

        Assert.Equal("10.96.0.0/12 via 169.254.1.1 dev eth0 scope link metric 100", route.ToString());
        Assert.Equal("0.0.0.0/0 via 169.254.1.1", new IPv4Route(IPv4Prefix.Default, null, IPv4Address.Parse("169.254.1.1")).ToString());
    }

    [Fact]
    public void Equals_SameParts_IsEqual() =>
        Assert.Equal(
            new IPv4Route(IPv4Prefix.Parse("169.254.1.1/32"), "eth0", Scope: RouteScope.Link),
            new IPv4Route(IPv4Prefix.Host(IPv4Address.Parse("169.254.1.1")), "eth0", null, RouteScope.Link, 0));
}
