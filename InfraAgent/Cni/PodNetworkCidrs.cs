using Netlink;

namespace InfraAgent.Cni;

/// <summary>
/// The pod CIDRs the host interface routes towards the pipeline (reference-behaviour.md 6.4): the
/// cluster's (--cluster-cidr) and this node's (node.spec.podCIDR); either may be unknown.
/// </summary>
internal sealed record PodNetworkCidrs(IPv4Prefix? Cluster, IPv4Prefix? Node)
{
    public static PodNetworkCidrs Unknown { get; } = new(null, null);
}
