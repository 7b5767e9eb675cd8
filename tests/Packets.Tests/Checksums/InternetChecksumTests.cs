using System.Buffers.Binary;
using FsCheck.Xunit;
using Packets.Checksums;
using Xunit;

namespace Packets.Tests.Checksums;

public sealed class InternetChecksumTests
{
    [Fact]
    public void Sum_Rfc1071Example_MatchesPublishedSum()
    {
        // RFC 1071 section 3: 0001 f203 f4f5 f6f7 sums to ddf2.
        byte[] data = [0x00, 0x01, 0xF2, 0x03, 0xF4, 0xF5, 0xF6, 0xF7];

        Assert.Equal(0xDDF2, InternetChecksum.Sum(data));
        Assert.Equal(0x220D, InternetChecksum.Compute(data));
    }

    [Fact]
    public void Sum_OddLength_PadsLastByteWithZero() =>
        Assert.Equal(0x0102 + 0x0300, InternetChecksum.Sum([0x01, 0x02, 0x03]));

    [Fact]
    public void Sum_Empty_IsInitial() => Assert.Equal(0x1234, InternetChecksum.Sum([], 0x1234));

    [Property(MaxTest = 2000)]
    public bool Sum_RandomData_MatchesReference(byte[] data, ushort initial) =>
        InternetChecksum.Sum(data ?? [], initial) == ReferenceChecksum.Sum(data ?? [], initial);

    [Property(MaxTest = 200)]
    public bool Sum_LargeRandomData_MatchesReference(int seed)
    {
        var data = new byte[65535 + 14];
        new Random(seed).NextBytes(data);
        return InternetChecksum.Sum(data) == ReferenceChecksum.Sum(data);
    }

    [Property(MaxTest = 1000)]
    public bool Sum_SplitAtEvenOffset_EqualsWhole(byte[] data, int split)
    {
        data ??= [];
        var at = data.Length == 0 ? 0 : (Math.Abs(split % (data.Length + 1)) & ~1);
        return InternetChecksum.Sum(data.AsSpan(at), InternetChecksum.Sum(data.AsSpan(0, at))) == InternetChecksum.Sum(data);
    }

    [Property(MaxTest = 2000)]
    public bool Update_SixteenBitFieldChange_EqualsRecompute(byte[] data, int position, ushort newValue)
    {
        if (data is null || data.Length < 4)
        {
            return true;
        }

        var buffer = data[..(data.Length & ~1)];
        var at = Math.Abs(position % (buffer.Length / 2)) * 2;
        var checksum = InternetChecksum.Compute(buffer);
        var oldValue = BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(at));
        BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(at), newValue);

        return SameOnesComplement(InternetChecksum.Update(checksum, oldValue, newValue), Recomputed(buffer));
    }

    [Property(MaxTest = 2000)]
    public bool Update_ThirtyTwoBitFieldChange_EqualsRecompute(byte[] data, int position, uint newValue)
    {
        if (data is null || data.Length < 8)
        {
            return true;
        }

        var buffer = data[..(data.Length & ~1)];
        var at = Math.Abs(position % ((buffer.Length - 2) / 2)) * 2;
        var checksum = InternetChecksum.Compute(buffer);
        var oldValue = BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(at));
        BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(at), newValue);

        return SameOnesComplement(InternetChecksum.Update(checksum, oldValue, newValue), Recomputed(buffer));
    }

    [Property(MaxTest = 2000)]
    public bool UpdateSum_AddressChange_EqualsRecomputedSum(uint source, uint destination, uint newDestination, byte protocol, ushort length)
    {
        var before = IPv4Checksums.PseudoHeaderSum(new IPv4Address(source), new IPv4Address(destination), protocol, length);
        var after = IPv4Checksums.PseudoHeaderSum(new IPv4Address(source), new IPv4Address(newDestination), protocol, length);

        return SameOnesComplement(InternetChecksum.UpdateSum(before, destination, newDestination), after);
    }

    [Fact]
    public void CompletePartial_PseudoHeaderSeed_ProducesVerifiableChecksum()
    {
        var frame = TestFrames.IPv4(IPProtocols.Tcp, TestFrames.ClientIp, TestFrames.ServiceIp, payloadLength: 1001, checksum: L4Checksum.Partial);

        Assert.True(InternetChecksum.CompletePartial(frame, 34, IPv4Checksums.TcpChecksumOffset));

        Assert.Equal(ReferenceChecksum.Transport(frame, 14), BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(34 + 16)));
    }

    [Theory]
    [InlineData(-1, 0)]
    [InlineData(34, 47)]
    [InlineData(100, 0)]
    [InlineData(34, -2)]
    public void CompletePartial_FieldOutsidePacket_ReturnsFalseAndWritesNothing(int start, int offset)
    {
        var frame = TestFrames.IPv4(IPProtocols.Udp, TestFrames.ClientIp, TestFrames.ServiceIp, payloadLength: 3, checksum: L4Checksum.Partial);
        var before = frame.ToArray();

        Assert.False(InternetChecksum.CompletePartial(frame, start, offset));
        Assert.Equal(before, frame);
    }

    private static ushort Recomputed(byte[] buffer) => (ushort)~ReferenceChecksum.Sum(buffer);

    // 0x0000 and 0xFFFF are both zero in one's complement; an all-zero pseudo-header is the only way to get 0x0000.
    private static bool SameOnesComplement(ushort a, ushort b) => a == b || (a is 0 or 0xFFFF && b is 0 or 0xFFFF);
}
