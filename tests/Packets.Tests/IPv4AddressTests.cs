using System.Net;
using Xunit;

namespace Packets.Tests;

public sealed class IPv4AddressTests
{
    [Fact]
    public void Parse_DottedQuad_IsBigEndianNumber()
    {
        var address = IPv4Address.Parse("10.96.0.10");
        var bytes = new byte[4];
        address.WriteTo(bytes);

        Assert.Equal(0x0A60000Au, address.Value);
        Assert.Equal(new byte[] { 10, 96, 0, 10 }, bytes);
        Assert.Equal("10.96.0.10", address.ToString());
        Assert.Equal(IPAddress.Parse("10.96.0.10"), address.ToIPAddress());
        Assert.Equal(address, IPv4Address.FromIPAddress(IPAddress.Parse("10.96.0.10")));
    }

    [Theory]
    [InlineData("::1")]
    [InlineData("10.0.0.256")]
    [InlineData("not an address")]
    public void TryParse_NotIPv4_ReturnsFalse(string text) => Assert.False(IPv4Address.TryParse(text, out _));
}
