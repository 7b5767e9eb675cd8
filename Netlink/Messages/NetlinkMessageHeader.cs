using System.Runtime.InteropServices;

namespace Netlink.Messages;

/// <summary>struct nlmsghdr, in host byte order.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NetlinkMessageHeader
{
    public const int Size = 16;

    public uint Length;
    public ushort Type;
    public ushort Flags;
    public uint Sequence;
    public uint PortId;
}
