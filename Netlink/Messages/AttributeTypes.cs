namespace Netlink.Messages;

/// <summary>The rtattr/nlattr types we read and write, grouped by message family.</summary>
internal static class AttributeTypes
{
    /// <summary>The type bits, without NLA_F_NESTED and NLA_F_NET_BYTEORDER.</summary>
    public const ushort TypeMask = 0x3FFF;

    /// <summary>NLA_F_NESTED: newer attributes (IFLA_PROP_LIST) are validated strictly and need it on nests.</summary>
    public const ushort NestedFlag = 0x8000;

    public const ushort LinkAddress = 1; // IFLA_ADDRESS
    public const ushort LinkName = 3; // IFLA_IFNAME
    public const ushort LinkMtu = 4; // IFLA_MTU
    public const ushort LinkInfo = 18; // IFLA_LINKINFO (nested)
    public const ushort LinkGroup = 27; // IFLA_GROUP
    public const ushort LinkNetNamespaceFd = 28; // IFLA_NET_NS_FD
    public const ushort LinkPropertyList = 52; // IFLA_PROP_LIST (nested)
    public const ushort LinkAlternativeName = 53; // IFLA_ALT_IFNAME, inside IFLA_PROP_LIST
    public const ushort LinkInfoKind = 1; // IFLA_INFO_KIND, inside IFLA_LINKINFO
    public const ushort LinkInfoData = 2; // IFLA_INFO_DATA (nested), inside IFLA_LINKINFO
    public const ushort VethPeer = 1; // VETH_INFO_PEER, inside IFLA_INFO_DATA of a veth: an ifinfomsg, then IFLA_* attributes

    public const ushort TrafficControlKind = 1; // TCA_KIND
    public const ushort TrafficControlOptions = 2; // TCA_OPTIONS (nested)
    public const ushort MatchallActions = 2; // TCA_MATCHALL_ACT (nested), inside TCA_OPTIONS of a matchall filter: actions numbered from 1
    public const ushort U32Selector = 5; // TCA_U32_SEL (struct tc_u32_sel and its keys), inside TCA_OPTIONS of a u32 filter
    public const ushort U32Actions = 7; // TCA_U32_ACT (nested), inside TCA_OPTIONS of a u32 filter: actions numbered from 1
    public const ushort ActionKind = 1; // TCA_ACT_KIND, inside one action
    public const ushort ActionOptions = 2; // TCA_ACT_OPTIONS (nested), inside one action
    public const ushort ActionMirredParameters = 2; // TCA_MIRRED_PARMS (struct tc_mirred), inside TCA_ACT_OPTIONS of mirred

    public const ushort AddressAddress = 1; // IFA_ADDRESS
    public const ushort AddressLocal = 2; // IFA_LOCAL

    public const ushort RouteDestination = 1; // RTA_DST
    public const ushort RouteOutputInterface = 4; // RTA_OIF
    public const ushort RouteGateway = 5; // RTA_GATEWAY
    public const ushort RoutePriority = 6; // RTA_PRIORITY
    public const ushort RouteTable = 15; // RTA_TABLE

    public const ushort ErrorMessage = 1; // NLMSGERR_ATTR_MSG
}
