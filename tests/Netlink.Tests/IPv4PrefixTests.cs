using FsCheck.Xunit;
using Packets;
using Xunit;

namespace Netlink.Tests;

public sealed class IPv4PrefixTests
{
    [Theory]
    [InlineData("10.244.0.6/32", 0x0AF40006u, 32)]
    [InlineData("0.0.0.0/0", 0u, 0)]
    [InlineData("10.0.0.5/24", 0x0A000005u, 24)]
    [InlineData("169.254.1.1", 0xA9FE0101u, 32)]
    public void Parse_ValidText_KeepsAddressAndLength(string text, uint address, int length)
    {
        var prefix = IPv4Prefix.Parse(text);

        Assert.Equal(new IPv4Address(address), prefix.Address);
        Assert.Equal(length, prefix.Length);
    }

    [Theory]
    [InlineData("10.0.0.0/33")]
    [InlineData("10.0.0.0/")]
    [InlineData("10.0.0.0/-1")]
    [InlineData("10.0.0.0/+8")]
    [InlineData("::1/128")]
    [InlineData("10.0.0/8")]
    [InlineData("")]
    public void TryParse_InvalidText_ReturnsFalse(string text) => Assert.False(IPv4Prefix.TryParse(text, out _));

    [Fact]
    public void Network_HostBitsSet_ClearsThem()
    {
        Assert.Equal(IPv4Address.Parse("10.0.0.0"), IPv4Prefix.Parse("10.0.0.5/24").Network);
        Assert.Equal(IPv4Address.Parse("0.0.0.0"), IPv4Prefix.Parse("10.0.0.5/0").Network);
        Assert.Equal(IPv4Address.Parse("10.0.0.5"), IPv4Prefix.Parse("10.0.0.5/32").Network);
    }

    [Fact]
    public void Constructor_LengthOutOfRange_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new IPv4Prefix(default, 33));
        Assert.Throws<ArgumentOutOfRangeException>(() => new IPv4Prefix(default, -1));
    }

    [Fact]
    public void Default_IsTheDefaultRoute() => Assert.Equal("0.0.0.0/0", IPv4Prefix.Default.ToString());

    [Property(MaxTest = 1000)]
    public bool ToStringThenParse_AnyPrefix_RoundTrips(uint address, byte length)
    {
        var prefix = new IPv4Prefix(new IPv4Address(address), length % 33);

        return IPv4Prefix.Parse(prefix.ToString()) == prefix;
    }
}
