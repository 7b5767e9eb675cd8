namespace Packets.Tap;

/// <summary>The TUN_F_* bits of TUNSETOFFLOAD (linux/if_tun.h): what the kernel may hand the TAP unfinished.</summary>
[Flags]
public enum TapOffloads : uint
{
    None = 0,

    /// <summary>CHECKSUM_PARTIAL packets: the L4 checksum field holds only the pseudo-header sum.</summary>
    Checksum = 0x01,

    /// <summary>TCP/IPv4 GSO super-frames up to 64 KB (needs <see cref="Checksum"/>).</summary>
    Tso4 = 0x02,
    Tso6 = 0x04,
    TsoEcn = 0x08,

    /// <summary>Accepted and ignored by kernels since UFO was removed (4.14); kept for older ones.</summary>
    Ufo = 0x10,

    /// <summary>UDP segmentation offload (kernel 6.2+), only together with <see cref="Uso6"/>.</summary>
    Uso4 = 0x20,
    Uso6 = 0x40,

    /// <summary>What the k8s_dp data plane asks for: checksum, TSO for both families, UFO.</summary>
    Default = Checksum | Tso4 | Tso6 | Ufo,
}
