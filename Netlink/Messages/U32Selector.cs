using System.Runtime.InteropServices;

namespace Netlink.Messages;

/// <summary>
/// struct tc_u32_sel (linux/pkt_cls.h) without keys: the TCA_U32_SEL of a u32 filter node. With no keys
/// every frame matches, without reading any of it; TC_U32_TERMINAL makes the match run the node's actions.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct U32Selector
{
    public const int Size = 16;

    /// <summary>TC_U32_TERMINAL: a match ends the walk with this node's result and actions.</summary>
    public const byte FlagTerminal = 1;

    public byte Flags;
    public byte OffsetShift;
    public byte KeyCount;
    public byte Padding;
    public ushort OffsetMask;
    public ushort Offset;
    public short OffsetOffset;
    public short HashOffset;
    public uint HashMask;
}
