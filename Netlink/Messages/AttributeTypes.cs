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
    public const ushort LinkNetNamespaceFd = 28; // IFLA_NET_NS_FD
    public const ushort LinkPropertyList = 52; // IFLA_PROP_LIST (nested)
    public const ushort LinkAlternativeName = 53; // IFLA_ALT_IFNAME, inside IFLA_PROP_LIST
    public const ushort LinkInfoKind = 1; // IFLA_INFO_KIND, inside IFLA_LINKINFO

    public const ushort AddressAddress = 1; // IFA_ADDRESS
    public const ushort AddressLocal = 2; // IFA_LOCAL

    public const ushort RouteDestination = 1; // RTA_DST
    public const ushort RouteOutputInterface = 4; // RTA_OIF
    public const ushort RouteGateway = 5; // RTA_GATEWAY
    public const ushort RoutePriority = 6; // RTA_PRIORITY
    public const ushort RouteTable = 15; // RTA_TABLE

    public const ushort ErrorMessage = 1; // NLMSGERR_ATTR_MSG
}
