using System.Runtime.InteropServices;

namespace Netlink.Messages;

/// <summary>struct rtmsg: the fixed part of RTM_*ROUTE messages.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct RouteMessage
{
    public const int Size = 12;

    /// <summary>RT_TABLE_MAIN.</summary>
    public const byte MainTable = 254;

    /// <summary>RTPROT_BOOT, what <c>ip route add</c> uses.</summary>
    public const byte ProtocolBoot = 3;

    /// <summary>RTN_UNICAST.</summary>
    public const byte TypeUnicast = 1;

    public byte Family;
    public byte DestinationLength;
    public byte SourceLength;
    public byte Tos;
    public byte Table;
    public byte Protocol;
    public byte Scope;
    public byte Type;
    public uint Flags;
}
