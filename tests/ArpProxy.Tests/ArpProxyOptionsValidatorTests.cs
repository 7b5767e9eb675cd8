using Xunit;

namespace ArpProxy.Tests;

public sealed class ArpProxyOptionsValidatorTests
{
    private readonly ArpProxyOptionsValidator _validator = new();

    [Theory]
    [InlineData("P4TAP_0")]
    [InlineData("eth0")]
    [InlineData("a-very-long-nam")]
    public void Validate_InterfaceName_Succeeds(string name) =>
        Assert.True(_validator.Validate(null, new ArpProxyOptions { Interface = name }).Succeeded);

    [Theory]
    [InlineData("", "ARP_PROXY_IF: not set")]
    [InlineData("  ", "ARP_PROXY_IF: not set")]
    [InlineData("a-very-long-name", "is not an interface name")]
    [InlineData("eth0:1", "is not an interface name")]
    [InlineData("p4 tap", "is not an interface name")]
    [InlineData("..", "is not an interface name")]
    public void Validate_BadInterface_FailsNamingTheVariable(string name, string expected)
    {
        var result = _validator.Validate(null, new ArpProxyOptions { Interface = name });

        Assert.True(result.Failed);
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
        Assert.StartsWith("ARP_PROXY_IF: ", result.FailureMessage, StringComparison.Ordinal);
    }
}
