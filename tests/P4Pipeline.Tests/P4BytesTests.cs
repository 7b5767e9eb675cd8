using FsCheck.Xunit;
using Xunit;

namespace P4Pipeline.Tests;

public sealed class P4BytesTests
{
    [Theory]
    [InlineData(new byte[] { 0, 0, 0, 5 }, new byte[] { 5 })]
    [InlineData(new byte[] { 0, 0 }, new byte[] { 0 })]
    [InlineData(new byte[] { 10, 244, 0, 6 }, new byte[] { 10, 244, 0, 6 })]
    public void Canonical_StripsLeadingZeros(byte[] value, byte[] expected) =>
        Assert.Equal(expected, P4Bytes.Canonical(value).ToByteArray());

    [Theory]
    [InlineData(new byte[] { 0x0f, 0xff, 0xff }, 20, true)]
    [InlineData(new byte[] { 0x1f, 0xff, 0xff }, 20, false)]
    [InlineData(new byte[] { 0, 0, 0, 1 }, 1, true)]
    [InlineData(new byte[] { }, 8, false)]
    public void FitsWidth_CountsSignificantBits(byte[] value, int width, bool fits) =>
        Assert.Equal(fits, P4Bytes.FitsWidth(value, width));

    [Property]
    public bool FromUInt_RoundTripsAndIsCanonical(ulong value)
    {
        var bytes = P4Bytes.FromUInt(value);
        return P4Bytes.ToUInt64(bytes.Span) == value && (bytes.Length == 1 || bytes[0] != 0) && P4Bytes.FitsWidth(bytes.Span, 64);
    }

    [Property]
    public bool BitLength_IsTheSmallestWidthThatFits(ulong value)
    {
        var bytes = P4Bytes.FromUInt(value).Span;
        var length = P4Bytes.BitLength(bytes);
        return P4Bytes.FitsWidth(bytes, Math.Max(length, 1)) && (length == 0 || !P4Bytes.FitsWidth(bytes, length - 1) || length == 1);
    }
}
