using System.Runtime.InteropServices;

namespace Netlink.Messages;

/// <summary>struct tcmsg: the fixed part of RTM_*QDISC and RTM_*TFILTER messages.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct TrafficControlMessage
{
    public const int Size = 20;

    /// <summary>TC_H_CLSACT (= TC_H_INGRESS): the parent a clsact qdisc is attached under.</summary>
    public const uint ClsactParent = 0xFFFFFFF1;

    /// <summary>TC_H_MAKE(TC_H_CLSACT, 0): the handle of a clsact qdisc (<c>ffff:</c>).</summary>
    public const uint ClsactHandle = 0xFFFF0000;

    /// <summary>TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS): the ingress hook of a clsact qdisc, parent of its ingress filters.</summary>
    public const uint ClsactIngress = 0xFFFFFFF2;

    /// <summary>
    /// u32 handle 800::800: node 0x800 of the root hash table 800:, which the first u32 filter of a block
    /// gets. Naming it makes a second add with NLM_F_EXCL fail with EEXIST instead of adding another node.
    /// </summary>
    public const uint FirstU32Node = 0x80000800;

    /// <summary>ETH_P_ALL in network byte order, as tcm_info's low 16 bits carry a filter's protocol.</summary>
    public const ushort ProtocolAll = 0x0300;

    public byte Family;
    public byte Padding1;
    public ushort Padding2;
    public int Index;
    public uint Handle;
    public uint Parent;

    /// <summary>For a filter: TC_H_MAKE(priority &lt;&lt; 16, protocol in network byte order).</summary>
    public uint Info;

    /// <summary>tcm_info of a filter with <paramref name="priority"/> matching every protocol (ETH_P_ALL).</summary>
    public static uint FilterInfo(ushort priority) => ((uint)priority << 16) | ProtocolAll;
}
