using Grpc.Core;
using InfraAgent.Cni;
using Netlink;
using Proto.Cni;
using Xunit;

namespace InfraAgent.Tests.Cni;

public sealed class CniRequestTranslatorTests
{
    private static AddRequest Calico() => new()
    {
        InterfaceName = "eth0",
        Netns = "/var/run/netns/cni-1b2c",
        DesiredHostInterfaceName = "cali12345",
        Settings = new ContainerSettings { Mtu = 1450 },
        ContainerIps = { new IPConfig { Address = "10.244.0.6/24", Gateway = "10.244.0.1" }, new IPConfig { Address = "fd00::6/128", Gateway = "fd00::1" } },
        ContainerRoutes = { "0.0.0.0/0", "::/0" },
    };

    [Fact]
    public void Add_CalicoRequest_TypedAndIPv6Dropped()
    {
        var pod = CniRequestTranslator.Add(Calico());

        Assert.Equal(new PodKey("/var/run/netns/cni-1b2c", "eth0"), pod.Key);
        Assert.Equal("cni-1b2c-eth0", pod.Key.CacheName);
        Assert.Equal(1450, pod.Mtu);
        Assert.Equal([IPv4Prefix.Parse("10.244.0.6/24")], pod.Addresses);
        Assert.Equal([IPv4Prefix.Default], pod.Routes);
        Assert.Equal("cali12345", pod.DesiredHostInterfaceName);
    }

    [Theory]
    [InlineData("interface_name", "")]
    [InlineData("interface_name", "eth0/..")]
    [InlineData("interface_name", "a-name-longer-than-15")]
    [InlineData("netns", "")]
    [InlineData("netns", "relative/ns")]
    [InlineData("container_ips[0].address", "10.244.0")]
    [InlineData("container_routes[0]", "10.0.0.1/8")]
    [InlineData("settings.mtu", "-1")]
    public void Add_Malformed_InvalidArgumentNamingTheField(string field, string value)
    {
        var request = Calico();
        switch (field)
        {
            case "interface_name": request.InterfaceName = value; break;
            case "netns": request.Netns = value; break;
            case "container_ips[0].address": request.ContainerIps[0].Address = value; break;
            case "container_routes[0]": request.ContainerRoutes[0] = value; break;
            default: request.Settings.Mtu = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
        }

        var error = Assert.Throws<RpcException>(() => CniRequestTranslator.Add(request));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith(field + ": ", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Add_OnlyIPv6_InvalidArgument()
    {
        var request = Calico();
        request.ContainerIps.RemoveAt(0);

        var error = Assert.Throws<RpcException>(() => CniRequestTranslator.Add(request));

        Assert.Equal("container_ips: at least one IPv4 address is required", error.Status.Detail);
    }
}
