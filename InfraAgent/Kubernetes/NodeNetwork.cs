using Netlink;
using Packets;

namespace InfraAgent.Kubernetes;

/// <summary>
/// What the agent knows of its node's addressing (reference-behaviour.md 6.2): the node's InternalIP
/// and podCIDR from its Node object, the cluster's pod and service ranges from the kube-controller-manager
/// flags; each can be set in AgentOptions instead. A null member was neither configured nor found.
/// </summary>
internal sealed record NodeNetwork(string NodeName, IPv4Address? NodeIp, IPv4Prefix? PodCidr, IPv4Prefix? ClusterCidr, IPv4Prefix? ServiceCidr);
