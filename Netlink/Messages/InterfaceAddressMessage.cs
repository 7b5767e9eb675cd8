using System.Runtime.InteropServices;

namespace Netlink.Messages;

/// <summary>struct ifaddrmsg: the fixed part of RTM_*ADDR messages.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct InterfaceAddressMessage
{
    public const int Size = 8;

    public byte Family;
    public byte PrefixLength;
    public byte Flags;
    public byte Scope;
    public uint Index;
}
