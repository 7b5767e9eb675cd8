using Packets;

namespace ArpProxy;

/// <summary>The ARP proxy's log lines, EventIds 900–999. Only <see cref="Replied"/> is per packet, at Debug.</summary>
internal static partial class ArpProxyLog
{
    [LoggerMessage(EventId = 900, Level = LogLevel.Information, Message = "waiting for interface {Interface} to appear")]
    public static partial void WaitingToAppear(ILogger logger, string @interface);

    [LoggerMessage(EventId = 901, Level = LogLevel.Information, Message = "waiting for interface {Interface} to come up")]
    public static partial void WaitingToComeUp(ILogger logger, string @interface);

    [LoggerMessage(EventId = 902, Level = LogLevel.Information, Message = "waiting for interface {Interface} to get an IPv4 address")]
    public static partial void WaitingForAddress(ILogger logger, string @interface);

    [LoggerMessage(EventId = 903, Level = LogLevel.Information, Message = "answering ARP requests on {Interface} (ifindex {Index}, MAC {Mac}, IPv4 {Address})")]
    public static partial void Answering(ILogger logger, string @interface, int index, MacAddress mac, IPv4Address address);

    [LoggerMessage(EventId = 904, Level = LogLevel.Warning, Message = "interface {Interface} is no longer usable: {Reason}; waiting for it to come back")]
    public static partial void LinkLost(ILogger logger, string @interface, string reason);

    [LoggerMessage(EventId = 905, Level = LogLevel.Information, Message = "interface {Interface}: {Answered} replies sent, {Ignored} frames ignored, {Failed} replies not sent")]
    public static partial void Counters(ILogger logger, string @interface, long answered, long ignored, long failed);

    [LoggerMessage(EventId = 906, Level = LogLevel.Information, Message = "interface {Interface} changed its MAC from {Old} to {New}; replies now carry the new one")]
    public static partial void MacChanged(ILogger logger, string @interface, MacAddress old, MacAddress @new);

    [LoggerMessage(EventId = 908, Level = LogLevel.Critical, Message = "cannot open a packet socket on {Interface}: {Reason}; arp-proxy needs root (CAP_NET_RAW)")]
    public static partial void CannotOpenSocket(ILogger logger, string @interface, string reason);
}
