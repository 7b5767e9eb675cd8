namespace Netlink;

/// <summary>An IPv4 address assigned to a link (IFA_LOCAL with ifa_prefixlen).</summary>
public sealed record InterfaceAddress(IPv4Prefix Prefix, int LinkIndex, RouteScope Scope);
