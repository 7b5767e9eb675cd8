namespace Netlink.Messages;

/// <summary>nlmsg_flags bits (NLM_F_*); some share a value and mean different things per message kind.</summary>
internal static class NetlinkFlags
{
    public const ushort Request = 0x1;
    public const ushort Multi = 0x2;
    public const ushort Ack = 0x4;

    /// <summary>The dump changed while the kernel was walking it; its result may be inconsistent.</summary>
    public const ushort DumpInterrupted = 0x10;

    /// <summary>NLM_F_ROOT | NLM_F_MATCH on a GET request.</summary>
    public const ushort Dump = 0x300;

    /// <summary>On NEW requests.</summary>
    public const ushort Replace = 0x100;
    public const ushort Exclusive = 0x200;
    public const ushort Create = 0x400;

    /// <summary>On NLMSG_ERROR: only the request's header is echoed (NETLINK_CAP_ACK).</summary>
    public const ushort Capped = 0x100;

    /// <summary>On NLMSG_ERROR and NLMSG_DONE: extended-ack attributes follow.</summary>
    public const ushort AckTlvs = 0x200;
}
