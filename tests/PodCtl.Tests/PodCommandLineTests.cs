using PodCtl;
using Xunit;

namespace PodCtl.Tests;

public sealed class PodCommandLineTests
{
    [Fact]
    public void Parse_Add_DefaultsGatewayToTheRangesFirstAddressAndNetnsToThePod()
    {
        var line = PodCommandLine.Parse(["add", "web-1", "10.244.0.11/24", "--label", "app=web", "--cni", "127.0.0.1:6001"], out var error);

        Assert.NotNull(line);
        Assert.Equal(string.Empty, error);
        Assert.Equal(("10.244.0.1", "web-1", "/var/run/netns/web-1", "127.0.0.1:6001"), (line.Gateway, line.NetnsName, line.NetnsPath, line.Cni));
        Assert.Equal("web", line.Labels["app"]);
    }

    [Fact]
    public void Parse_DelWithNetns_UsesIt()
    {
        var line = PodCommandLine.Parse(["del", "web-1", "--netns", "rn1-web-1"], out _);

        Assert.Equal("/var/run/netns/rn1-web-1", line?.NetnsPath);
    }

    [Theory]
    [InlineData("add web-1", "add takes POD and ADDRESS/LEN")]
    [InlineData("add web-1 10.244.0.11", "not an IPv4 ADDRESS/LEN")]
    [InlineData("add web-1 fd00::1/64", "not an IPv4 ADDRESS/LEN")]
    [InlineData("add web-1 10.244.0.11/24 --mtu 100", "--mtu 100: unknown flag or bad value")]
    [InlineData("add web-1 10.244.0.11/24 --netns ../x", "not a network namespace name")]
    [InlineData("del web-1 --color", "--color needs a value")]
    [InlineData("list", "say add or del")]
    public void Parse_Wrong_SaysWhat(string arguments, string expected)
    {
        var line = PodCommandLine.Parse(arguments.Split(' '), out var error);

        Assert.Null(line);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }
}
