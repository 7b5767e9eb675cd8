namespace Netlink;

/// <summary>The Linux errno values callers of <see cref="RouteNetlinkClient"/> test for in <see cref="NetlinkException.Errno"/>.</summary>
public static class ErrorNumbers
{
    /// <summary>No such file or directory.</summary>
    public const int ENOENT = 2;

    /// <summary>No such process: RTM_DELROUTE of a route that does not exist.</summary>
    public const int ESRCH = 3;

    /// <summary>Device or resource busy: renaming a link that is up, on kernels that refuse it.</summary>
    public const int EBUSY = 16;

    /// <summary>File exists: adding an address or route that is already there.</summary>
    public const int EEXIST = 17;

    /// <summary>No such device: the link name or index is unknown in the socket's namespace.</summary>
    public const int ENODEV = 19;

    /// <summary>Invalid argument.</summary>
    public const int EINVAL = 22;

    /// <summary>Cannot assign requested address: RTM_DELADDR of an address the link does not have.</summary>
    public const int EADDRNOTAVAIL = 99;

    /// <summary>Network is unreachable: a gateway with no route to it.</summary>
    public const int ENETUNREACH = 101;
}
