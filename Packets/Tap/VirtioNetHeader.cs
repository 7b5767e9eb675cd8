using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Packets.Tap;

/// <summary>
/// struct virtio_net_hdr, which a TAP opened with IFF_VNET_HDR puts before every frame it reads and
/// expects before every frame written. <see cref="TapDevice"/> sets TUNSETVNETLE, so the 16-bit fields
/// are little-endian on any host. With num_buffers (12 bytes) the last two bytes are not read here.
/// </summary>
[StructLayout(LayoutKind.Auto)]
public readonly record struct VirtioNetHeader(
    VirtioNetHeaderBits Flags,
    VirtioGsoType GsoType,
    ushort HeaderLength,
    ushort GsoSize,
    ushort ChecksumStart,
    ushort ChecksumOffset)
{
    /// <summary>sizeof(struct virtio_net_hdr), the TAP default.</summary>
    public const int Size = 10;

    /// <summary>sizeof(struct virtio_net_hdr_mrg_rxbuf), with num_buffers.</summary>
    public const int SizeWithBufferCount = 12;

    public bool NeedsChecksum => (Flags & VirtioNetHeaderBits.NeedsChecksum) != 0;

    /// <summary>The GSO type without the ECN bit; anything but None means a super-frame the receiver segments.</summary>
    public VirtioGsoType GsoKind => GsoType & ~VirtioGsoType.Ecn;

    public static bool TryRead(ReadOnlySpan<byte> source, out VirtioNetHeader header)
    {
        if (source.Length < Size)
        {
            header = default;
            return false;
        }

        header = new VirtioNetHeader(
            (VirtioNetHeaderBits)source[0],
            (VirtioGsoType)source[1],
            BinaryPrimitives.ReadUInt16LittleEndian(source[2..]),
            BinaryPrimitives.ReadUInt16LittleEndian(source[4..]),
            BinaryPrimitives.ReadUInt16LittleEndian(source[6..]),
            BinaryPrimitives.ReadUInt16LittleEndian(source[8..]));
        return true;
    }

    /// <summary>Writes the 10 bytes; false when <paramref name="destination"/> is shorter.</summary>
    public bool TryWrite(Span<byte> destination)
    {
        if (destination.Length < Size)
        {
            return false;
        }

        destination[0] = (byte)Flags;
        destination[1] = (byte)GsoType;
        BinaryPrimitives.WriteUInt16LittleEndian(destination[2..], HeaderLength);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[4..], GsoSize);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[6..], ChecksumStart);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[8..], ChecksumOffset);
        return true;
    }
}
