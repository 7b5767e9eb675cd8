using Netlink;
using Packets;

namespace InfraAgent.Cni;

internal static partial class CniLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "CNI pod interfaces: {Count} TAPs with prefix {Prefix}, {Free} free; host interface {HostInterface}")]
    public static partial void Ready(ILogger logger, int count, string prefix, int free, string hostInterface);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "CNI Add {Pod}: {Tap} ({Mac}) as {Address}")]
    public static partial void Added(ILogger logger, PodKey pod, string tap, MacAddress mac, IPv4Prefix address);

    [LoggerMessage(EventId = 102, Level = LogLevel.Information, Message = "CNI Del {Pod}: {Tap} released")]
    public static partial void Deleted(ILogger logger, PodKey pod, string tap);

    [LoggerMessage(EventId = 103, Level = LogLevel.Warning, Message = "CNI Add {Pod} failed and was undone: {Error}")]
    public static partial void AddFailed(ILogger logger, PodKey pod, string error);

    [LoggerMessage(EventId = 104, Level = LogLevel.Warning, Message = "CNI Del {Pod} failed: {Error}")]
    public static partial void DelFailed(ILogger logger, PodKey pod, string error);

    [LoggerMessage(EventId = 105, Level = LogLevel.Information, Message = "Reclaimed {Tap} of {Pod}: its network namespace is gone")]
    public static partial void Reclaimed(ILogger logger, string tap, PodKey pod);

    [LoggerMessage(EventId = 106, Level = LogLevel.Warning, Message = "TAP {Tap} was gone with its pod's namespace and was made again; the target must attach it anew")]
    public static partial void Recreated(ILogger logger, string tap);

    [LoggerMessage(EventId = 107, Level = LogLevel.Error, Message = "Undoing {Pod} left something behind: {Error}")]
    public static partial void UndoFailed(ILogger logger, PodKey pod, string error);

    [LoggerMessage(EventId = 108, Level = LogLevel.Warning, Message = "Cache entry {Name} is unreadable or names an unknown TAP; ignored")]
    public static partial void BadCacheEntry(ILogger logger, string name);

    [LoggerMessage(EventId = 109, Level = LogLevel.Information, Message = "Host interface {Name} ({Mac}) set up as 200.1.1.2/32, MTU {Mtu}; cluster CIDR {Cluster}, node CIDR {Node} (empty: unknown)")]
    public static partial void HostInterfaceReady(ILogger logger, string name, MacAddress mac, int mtu, IPv4Prefix? cluster, IPv4Prefix? node);
}
