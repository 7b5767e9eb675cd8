using System.Net.Sockets;
using Grpc.Core;
using InfraManager.Api;
using InfraManager.State;
using Proto.Cni;
using Proto.Infra;
using Xunit;
using static InfraManager.Tests.State.Requests;

namespace InfraManager.Tests.Api;

public sealed class AgentRequestTranslatorTests
{
    [Theory]
    [InlineData(null, "ipv4_addr: required")]
    [InlineData("", "ipv4_addr: required")]
    [InlineData("10.244.0", "ipv4_addr: '10.244.0' is not an IPv4 address")]
    [InlineData("10", "ipv4_addr: '10' is not an IPv4 address")]
    [InlineData("010.244.0.6", "ipv4_addr: '010.244.0.6' is not an IPv4 address")]
    [InlineData("0x0a.244.0.6", "ipv4_addr: '0x0a.244.0.6' is not an IPv4 address")]
    [InlineData("10.244.0.256", "ipv4_addr: '10.244.0.256' is not an IPv4 address")]
    [InlineData("10.244.0.6 ", "ipv4_addr: '10.244.0.6 ' is not an IPv4 address")]
    [InlineData("fd00::6", "ipv4_addr: 'fd00::6' is not an IPv4 address")]
    [InlineData("pod", "ipv4_addr: 'pod' is not an IPv4 address")]
    [InlineData("127.0.0.1", "ipv4_addr: 127.0.0.1 is not a unicast address a pod or service can have")]
    [InlineData("224.0.0.1", "ipv4_addr: 224.0.0.1 is not a unicast address a pod or service can have")]
    [InlineData("239.255.255.250", "ipv4_addr: 239.255.255.250 is not a unicast address a pod or service can have")]
    [InlineData("0.0.0.0", "ipv4_addr: 0.0.0.0 is not a unicast address a pod or service can have")]
    [InlineData("255.255.255.255", "ipv4_addr: 255.255.255.255 is not a unicast address a pod or service can have")]
    [InlineData("10.244.0.6/33x", "ipv4_addr: '10.244.0.6/33x' has a bad prefix length")]
    [InlineData("10.244.0.6/33", "ipv4_addr: '10.244.0.6/33' has a bad prefix length")]
    [InlineData("10.244.0.6/", "ipv4_addr: '10.244.0.6/' has a bad prefix length")]
    [InlineData("10.244.0.6/-1", "ipv4_addr: '10.244.0.6/-1' has a bad prefix length")]
    public void Ipv4_Malformed_IsInvalidArgumentNamingTheField(string? text, string message)
    {
        AssertInvalid(message, () => AgentRequestTranslator.Ipv4(text, "ipv4_addr"));
    }

    [Theory]
    [InlineData("10.244.0.6", "10.244.0.6")]
    [InlineData("10.244.0.6/32", "10.244.0.6")]
    [InlineData("10.244.0.6/24", "10.244.0.6")]
    [InlineData("10.244.0.6/0", "10.244.0.6")]
    [InlineData("1.2.3.4", "1.2.3.4")]
    [InlineData("223.255.255.254", "223.255.255.254")]
    [InlineData("0.0.0.1", "0.0.0.1")]
    public void Ipv4_WithOrWithoutPrefix_IsTheAddress(string text, string expected)
    {
        Assert.Equal(Ip(expected), AgentRequestTranslator.Ipv4(text, "ipv4_addr"));
    }

    [Theory]
    [InlineData(null, "mac_addr: required")]
    [InlineData("", "mac_addr: required")]
    [InlineData("02:00:00:00:00", "mac_addr: '02:00:00:00:00' is not a MAC address")]
    [InlineData("02:00:00:00:00:0g", "mac_addr: '02:00:00:00:00:0g' is not a MAC address")]
    [InlineData("0200.0000.0006", "mac_addr: '0200.0000.0006' is not a MAC address")]
    [InlineData("00:00:00:00:00:00", "mac_addr: 00:00:00:00:00:00 is not a unicast MAC address")]
    [InlineData("01:00:5e:00:00:01", "mac_addr: 01:00:5e:00:00:01 is not a unicast MAC address")]
    [InlineData("FF:FF:FF:FF:FF:FF", "mac_addr: ff:ff:ff:ff:ff:ff is not a unicast MAC address")]
    public void Mac_Malformed_IsInvalidArgumentNamingTheField(string? text, string message)
    {
        AssertInvalid(message, () => AgentRequestTranslator.Mac(text, "mac_addr"));
    }

    [Theory]
    [InlineData("02:ab:cd:ef:00:06")]
    [InlineData("02-ab-cd-ef-00-06")]
    [InlineData("02:AB:CD:EF:00:06")]
    public void Mac_ColonsOrDashesAnyCase_IsTheAddress(string text)
    {
        Assert.Equal(Mac("02:ab:cd:ef:00:06"), AgentRequestTranslator.Mac(text, "mac_addr"));
    }

    [Theory]
    [InlineData(null, "host_if_name: required")]
    [InlineData("", "host_if_name: required")]
    [InlineData("P4TAP_0123456789", "host_if_name: 'P4TAP_0123456789' is not an interface name")]
    [InlineData("eth/0", "host_if_name: 'eth/0' is not an interface name")]
    [InlineData("eth:0", "host_if_name: 'eth:0' is not an interface name")]
    [InlineData("eth 0", "host_if_name: 'eth 0' is not an interface name")]
    [InlineData("eth\t0", "host_if_name: 'eth\t0' is not an interface name")]
    public void InterfaceName_Malformed_IsInvalidArgumentNamingTheField(string? text, string message)
    {
        AssertInvalid(message, () => AgentRequestTranslator.InterfaceName(text, "host_if_name"));
    }

    [Theory]
    [InlineData("P4TAP_2")]
    [InlineData("P4TAP_012345678")]
    [InlineData("cali.1-x")]
    public void InterfaceName_UpToFifteenCharacters_IsAccepted(string text)
    {
        Assert.Equal(text, AgentRequestTranslator.InterfaceName(text, "host_if_name"));
    }

    [Fact]
    public void PodAddress_NoAddRequest_IsInvalidArgument()
    {
        AssertInvalid("add_request: required", () => AgentRequestTranslator.PodAddress(new CreateNetworkRequest()));
    }

    [Theory]
    [InlineData(new string[0], "add_request.container_ips: at least one IPv4 address is required")]
    [InlineData(new[] { "fd00::6/128" }, "add_request.container_ips: no IPv4 address (k8s_dp routes IPv4 only)")]
    [InlineData(new[] { "" }, "add_request.container_ips[0].address: '' is not an IP address")]
    [InlineData(new[] { "pod" }, "add_request.container_ips[0].address: 'pod' is not an IP address")]
    [InlineData(new[] { "fd00::6/128", "10.244.0" }, "add_request.container_ips[1].address: '10.244.0' is not an IP address")]
    [InlineData(new[] { "010.244.0.6/32" }, "add_request.container_ips[0].address: '010.244.0.6/32' is not an IP address")]
    [InlineData(new[] { "10.244.0.6/33x" }, "add_request.container_ips[0].address: '10.244.0.6/33x' has a bad prefix length")]
    [InlineData(new[] { "10.244.0.6/33" }, "add_request.container_ips[0].address: '10.244.0.6/33' has a bad prefix length")]
    [InlineData(new[] { "fd00::6/129", "10.244.0.6" }, "add_request.container_ips[0].address: 'fd00::6/129' has a bad prefix length")]
    [InlineData(new[] { "127.0.0.1/8" }, "add_request.container_ips[0].address: 127.0.0.1 is not a unicast address a pod or service can have")]
    [InlineData(new[] { "224.0.0.1" }, "add_request.container_ips[0].address: 224.0.0.1 is not a unicast address a pod or service can have")]
    public void PodAddress_Malformed_IsInvalidArgumentNamingTheField(string[] addresses, string message)
    {
        AssertInvalid(message, () => AgentRequestTranslator.PodAddress(Create(addresses)));
    }

    [Theory]
    [InlineData(new[] { "10.244.0.6/24" }, "10.244.0.6")]
    [InlineData(new[] { "10.244.0.6" }, "10.244.0.6")]
    [InlineData(new[] { "fd00::6/128", "10.244.0.6/32" }, "10.244.0.6")]
    [InlineData(new[] { "fe80::1", "fd00::6", "10.244.0.6/32", "10.244.0.7/32" }, "10.244.0.6")]
    [InlineData(new[] { "10.244.0.6/32", "garbage" }, "10.244.0.6")]
    public void PodAddress_IsTheFirstIpv4Address(string[] addresses, string expected)
    {
        Assert.Equal(Ip(expected), AgentRequestTranslator.PodAddress(Create(addresses)));
    }

    [Fact]
    public void Service_NoEndpoint_IsInvalidArgument()
    {
        AssertInvalid("endpoint: required", () => AgentRequestTranslator.Service(new NatTranslation { Proto = "TCP" }));
    }

    [Theory]
    [InlineData("10.96.0.10", 80u, "", "proto: required (TCP or UDP)")]
    [InlineData("10.96.0.10", 80u, "SCTP", "proto: SCTP is not supported: k8s_dp balances TCP and UDP only; nothing was programmed")]
    [InlineData("10.96.0.10", 80u, "sctp", "proto: SCTP is not supported: k8s_dp balances TCP and UDP only; nothing was programmed")]
    [InlineData("10.96.0.10", 80u, "ICMP", "proto: 'ICMP' is not a protocol k8s_dp balances (TCP or UDP)")]
    [InlineData("10.96.0.10", 0u, "TCP", "endpoint.port: 0 is not a port (1-65535)")]
    [InlineData("10.96.0.10", 65536u, "TCP", "endpoint.port: 65536 is not a port (1-65535)")]
    [InlineData("", 80u, "TCP", "endpoint.ipv4_addr: required")]
    [InlineData("10.96.0", 80u, "TCP", "endpoint.ipv4_addr: '10.96.0' is not an IPv4 address")]
    [InlineData("127.0.0.1", 80u, "TCP", "endpoint.ipv4_addr: 127.0.0.1 is not a unicast address a pod or service can have")]
    public void Service_Malformed_IsInvalidArgumentNamingTheField(string ip, uint port, string protocol, string message)
    {
        AssertInvalid(message, () => AgentRequestTranslator.Service(Translation(ip, port, protocol)));
    }

    [Theory]
    [InlineData("TCP", 80u)]
    [InlineData("tcp", 1u)]
    [InlineData("udp", 65535u)]
    [InlineData("Udp", 53u)]
    public void Service_TcpOrUdpAnyCaseAndPortsOneTo65535_IsTheServiceKey(string protocol, uint port)
    {
        var expected = new ServiceKey(Ip("10.96.0.10"), protocol.Equals("tcp", StringComparison.OrdinalIgnoreCase) ? ServiceProtocol.Tcp : ServiceProtocol.Udp, (ushort)port);

        Assert.Equal(expected, AgentRequestTranslator.Service(Translation("10.96.0.10", port, protocol)));
    }

    [Fact]
    public void Backends_InRequestOrderWithDuplicates_AreAllReturned()
    {
        var translation = Translation("10.96.0.10", 80, "TCP", ("10.244.0.7", 8080), ("10.244.0.6/32", 8080), ("10.244.0.7", 8080));

        Assert.Equal([Backend("10.244.0.7:8080"), Backend("10.244.0.6:8080"), Backend("10.244.0.7:8080")], AgentRequestTranslator.Backends(translation));
    }

    [Fact]
    public void Backends_None_IsAnEmptyList()
    {
        Assert.Empty(AgentRequestTranslator.Backends(Translation("10.96.0.10", 80, "TCP")));
    }

    [Theory]
    [InlineData("10.244.0", 8080u, "backends[1].dst_ep.ipv4_addr: '10.244.0' is not an IPv4 address")]
    [InlineData("", 8080u, "backends[1].dst_ep.ipv4_addr: required")]
    [InlineData("10.244.0.7", 0u, "backends[1].dst_ep.port: 0 is not a port (1-65535)")]
    [InlineData("10.244.0.7", 70000u, "backends[1].dst_ep.port: 70000 is not a port (1-65535)")]
    public void Backends_Malformed_IsInvalidArgumentNamingTheBackend(string ip, uint port, string message)
    {
        AssertInvalid(message, () => AgentRequestTranslator.Backends(Translation("10.96.0.10", 80, "TCP", ("10.244.0.6", 8080), (ip, port))));
    }

    [Fact]
    public void Backends_WithoutDestination_IsInvalidArgumentNamingTheBackend()
    {
        var translation = Translation("10.96.0.10", 80, "TCP", ("10.244.0.6", 8080));
        translation.Backends.Add(new NatEndpointTuple { SrcEp = new NatEndpoint { Ipv4Addr = "10.244.0.7", Port = 8080 } });

        AssertInvalid("backends[1].dst_ep: required", () => AgentRequestTranslator.Backends(translation));
    }

    [Theory]
    [InlineData("10.0.0.0/8", "10.0.0.0/8")]
    [InlineData("fd00::/64", "fd00::/64")]
    public void Prefix_Cidr_IsReturned(string text, string expected)
    {
        Assert.Equal(expected, AgentRequestTranslator.Prefix(text, "prefix"));
    }

    [Theory]
    [InlineData(null, "prefix: required")]
    [InlineData("10.0.0.0", "prefix: '10.0.0.0' is not an IP prefix")]
    [InlineData("10.0.0.0/33", "prefix: '10.0.0.0/33' is not an IP prefix")]
    [InlineData("garbage", "prefix: 'garbage' is not an IP prefix")]
    public void Prefix_Malformed_IsInvalidArgumentNamingTheField(string? text, string message)
    {
        AssertInvalid(message, () => AgentRequestTranslator.Prefix(text, "prefix"));
    }

    [Theory]
    [InlineData(null, AddressFamily.InterNetwork, "")]
    [InlineData("", AddressFamily.InterNetworkV6, "")]
    [InlineData("192.168.1.10", AddressFamily.InterNetwork, "192.168.1.10")]
    [InlineData("FD00::10", AddressFamily.InterNetworkV6, "fd00::10")]
    public void OptionalIp_UnsetOrOfTheFamily_IsReturned(string? text, AddressFamily family, string expected)
    {
        Assert.Equal(expected, AgentRequestTranslator.OptionalIp(text, family, "snat"));
    }

    [Theory]
    [InlineData("fd00::10", AddressFamily.InterNetwork, "snat: 'fd00::10' is not an IPv4 address")]
    [InlineData("192.168.1.10", AddressFamily.InterNetworkV6, "snat: '192.168.1.10' is not an IPv6 address")]
    [InlineData("192.168.1", AddressFamily.InterNetwork, "snat: '192.168.1' is not an IPv4 address")]
    [InlineData("010.1.1.1", AddressFamily.InterNetwork, "snat: '010.1.1.1' is not an IPv4 address")]
    [InlineData("node", AddressFamily.InterNetwork, "snat: 'node' is not an IPv4 address")]
    public void OptionalIp_Malformed_IsInvalidArgumentNamingTheField(string text, AddressFamily family, string message)
    {
        AssertInvalid(message, () => AgentRequestTranslator.OptionalIp(text, family, "snat"));
    }

    private static void AssertInvalid(string message, Action translate)
    {
        var error = Assert.Throws<RpcException>(translate);
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(message, error.Status.Detail);
    }

    private static CreateNetworkRequest Create(string[] addresses)
    {
        var add = new AddRequest { InterfaceName = "eth0" };
        add.ContainerIps.Add(addresses.Select(a => new IPConfig { Address = a }));
        return new CreateNetworkRequest { AddRequest = add, HostIfName = "P4TAP_2", MacAddr = "02:00:00:00:00:02" };
    }

    private static NatTranslation Translation(string ip, uint port, string protocol, params (string Ip, uint Port)[] backends)
    {
        var translation = new NatTranslation { Endpoint = new NatEndpoint { Ipv4Addr = ip, Port = port }, Proto = protocol };
        translation.Backends.Add(backends.Select(b => new NatEndpointTuple { DstEp = new NatEndpoint { Ipv4Addr = b.Ip, Port = b.Port } }));
        return translation;
    }
}
