using Xunit;

namespace Packets.Tests;

public sealed class MacAddressTests
{
    [Fact]
    public void Parse_ColonSeparated_RoundTripsThroughBytesAndText()
    {
        var mac = MacAddress.Parse("02:AB:cd:00:10:ff");
        var bytes = new byte[6];
        mac.WriteTo(bytes);

        Assert.Equal(0x02ABCD0010FFUL, mac.Value);
        Assert.Equal(new byte[] { 0x02, 0xAB, 0xCD, 0x00, 0x10, 0xFF }, bytes);
        Assert.Equal(mac, MacAddress.Read(bytes));
        Assert.Equal("02:ab:cd:00:10:ff", mac.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("02:ab:cd:00:10")]
    [InlineData("02:ab:cd:00:10:fg")]
    [InlineData("02.ab.cd.00.10.ff")]
    public void TryParse_Malformed_ReturnsFalse(string text) => Assert.False(MacAddress.TryParse(text, out _));

    [Fact]
    public void Constructor_MoreThan48Bits_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new MacAddress(1UL << 48));

    [Fact]
    public void IsMulticast_GroupBit_SetForBroadcastAndMulticastOnly()
    {
        Assert.True(MacAddress.Broadcast.IsMulticast);
        Assert.True(MacAddress.Parse("01:00:5e:00:00:01").IsMulticast);
        Assert.False(MacAddress.Parse("02:00:00:00:00:01").IsMulticast);
    }
}
