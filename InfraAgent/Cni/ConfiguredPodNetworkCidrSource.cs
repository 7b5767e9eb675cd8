using Netlink;

namespace InfraAgent.Cni;

/// <summary>The clusterCidr and podCidr keys (validated at start); empty means unknown.</summary>
internal sealed class ConfiguredPodNetworkCidrSource : IPodNetworkCidrSource
{
    private readonly PodNetworkCidrs _cidrs;

    public ConfiguredPodNetworkCidrSource(AgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _cidrs = new PodNetworkCidrs(Parse(options.ClusterCidr), Parse(options.PodCidr));
    }

    public Task<PodNetworkCidrs> GetAsync(CancellationToken cancellationToken) => Task.FromResult(_cidrs);

    private static IPv4Prefix? Parse(string value) => value.Length == 0 ? null : IPv4Prefix.Parse(value);
}
