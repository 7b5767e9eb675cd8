using System.Runtime.InteropServices;

namespace Netlink.Messages;

/// <summary>struct ifinfomsg: the fixed part of RTM_*LINK messages.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct InterfaceInfoMessage
{
    public const int Size = 16;

    /// <summary>IFF_UP.</summary>
    public const uint FlagUp = 0x1;

    public byte Family;
    public byte Padding;
    public ushort Type;
    public int Index;
    public uint Flags;
    public uint Change;
}
