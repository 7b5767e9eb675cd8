namespace InfraAgent.Kubernetes;

internal static partial class KubernetesLog
{
    [LoggerMessage(200, LogLevel.Information, "{Resource}: listed {Count} objects at resourceVersion {ResourceVersion}")]
    public static partial void Listed(ILogger logger, string resource, int count, string resourceVersion);

    [LoggerMessage(201, LogLevel.Warning, "{Resource}: watch expired (410 Gone) at resourceVersion {ResourceVersion}; listing again")]
    public static partial void WatchExpired(ILogger logger, string resource, string resourceVersion);

    [LoggerMessage(202, LogLevel.Warning, "{Resource}: list/watch failed; retrying in {Delay}")]
    public static partial void WatchFailed(ILogger logger, Exception exception, string resource, TimeSpan delay);

    [LoggerMessage(203, LogLevel.Debug, "{Resource}: {EventType} {Key} at resourceVersion {ResourceVersion}")]
    public static partial void Event(ILogger logger, string resource, string eventType, string key, string resourceVersion);

    [LoggerMessage(204, LogLevel.Information, "node {NodeName}: IP {NodeIp}, pod CIDR {PodCidr}, cluster CIDR {ClusterCidr}, service CIDR {ServiceCidr}")]
    public static partial void NodeNetworkRead(ILogger logger, string nodeName, string nodeIp, string podCidr, string clusterCidr, string serviceCidr);

    [LoggerMessage(205, LogLevel.Warning, "node {NodeName}: {What} not found in the Kubernetes API ({Reason}); set the {OptionKey} option")]
    public static partial void NodeNetworkMissing(ILogger logger, string nodeName, string what, string reason, string optionKey);

    [LoggerMessage(206, LogLevel.Information, "Kubernetes API at {Host} ({Source})")]
    public static partial void ApiServer(ILogger logger, string host, string source);

    [LoggerMessage(207, LogLevel.Warning, "node network from the Kubernetes API not available ({Problem}); using the configured clusterCidr/podCidr")]
    public static partial void NodeNetworkUnavailable(ILogger logger, string problem);
}
