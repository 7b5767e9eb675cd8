namespace Netlink;

/// <summary>rtm_scope / ifa_scope values (RT_SCOPE_*).</summary>
#pragma warning disable CA1028 // the kernel field is one byte
public enum RouteScope : byte
#pragma warning restore CA1028
{
    Universe = 0,
    Site = 200,
    Link = 253,
    Host = 254,
    Nowhere = 255,
}
