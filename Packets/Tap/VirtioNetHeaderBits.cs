namespace Packets.Tap;

/// <summary>virtio_net_hdr.flags (virtio spec 5.1.6).</summary>
[Flags]
public enum VirtioNetHeaderBits : byte
{
    None = 0,

    /// <summary>The checksum from csum_start to the end is left to the receiver; the field holds the pseudo-header sum.</summary>
    NeedsChecksum = 1,

    /// <summary>The checksum was already validated.</summary>
    DataValid = 2,
}
