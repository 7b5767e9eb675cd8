using System.Runtime.InteropServices;

namespace Netlink.Messages;

/// <summary>struct tc_mirred (linux/tc_act/tc_mirred.h): the TCA_MIRRED_PARMS of a mirred action, tc_gen first.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct MirredParameters
{
    public const int Size = 28;

    /// <summary>TC_ACT_STOLEN: the action consumed the frame; what <c>tc</c> sets for a redirect.</summary>
    public const int ActionStolen = 4;

    /// <summary>TCA_EGRESS_REDIR: send the frame out of the target device.</summary>
    public const int EgressRedirect = 1;

    public uint Index;
    public uint Capabilities;
    public int Action;
    public int ReferenceCount;
    public int BindCount;
    public int ExtendedAction;
    public uint InterfaceIndex;
}
