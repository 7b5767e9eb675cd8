using Packets;

namespace Netlink;

/// <summary>A network interface as RTM_NEWLINK reports it, in the namespace of the socket that asked.</summary>
/// <param name="Index">The ifindex; meaningful only in that namespace.</param>
/// <param name="HardwareAddress">The MAC, or null when the link has no 6-byte address (a TUN device).</param>
/// <param name="Flags">The IFF_* bits (net/if.h).</param>
/// <param name="Kind">IFLA_INFO_KIND (<c>veth</c>, <c>tun</c>, <c>bridge</c>…), or null for links without rtnl_link_ops (physical NICs, loopback).</param>
public sealed record LinkInfo(int Index, string Name, MacAddress? HardwareAddress, int Mtu, uint Flags, string? Kind)
{
    /// <summary>IFF_UP: administratively up (the carrier may still be down).</summary>
    public bool IsUp => (Flags & 0x1) != 0;
}
