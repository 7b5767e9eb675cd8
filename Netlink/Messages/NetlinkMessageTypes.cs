namespace Netlink.Messages;

/// <summary>nlmsg_type values: the netlink control messages and the rtnetlink requests we use (RTM_*TFILTER are traffic-control filters).</summary>
internal static class NetlinkMessageTypes
{
    public const ushort Noop = 1;
    public const ushort Error = 2;
    public const ushort Done = 3;
    public const ushort Overrun = 4;

    public const ushort NewLink = 16;
    public const ushort DeleteLink = 17;
    public const ushort GetLink = 18;
    public const ushort SetLink = 19;
    public const ushort NewAddress = 20;
    public const ushort DeleteAddress = 21;
    public const ushort GetAddress = 22;
    public const ushort NewRoute = 24;
    public const ushort DeleteRoute = 25;
    public const ushort GetRoute = 26;
    public const ushort NewQdisc = 36;
    public const ushort DeleteQdisc = 37;
    public const ushort NewFilter = 44;
    public const ushort GetFilter = 46;
    public const ushort NewLinkProperty = 108;
    public const ushort DeleteLinkProperty = 109;
}
