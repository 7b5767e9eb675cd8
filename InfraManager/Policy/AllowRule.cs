namespace InfraManager.Policy;

/// <summary>
/// A Felix allow rule in the terms k8s_dp can check: the IP protocol (null: any), the far side's
/// addresses (the source for ingress, the destination for egress; empty: the rule matches nothing),
/// destination port or ICMP type/code ranges (empty: any), and the addresses the pod's own address
/// must be in (null: any; Felix's dst_* on inbound rules, src_* on outbound ones).
/// </summary>
internal sealed record AllowRule(byte? Protocol, IReadOnlyList<Ipv4Prefix> Remote, IReadOnlyList<PortRange> Ranges, IReadOnlyList<Ipv4Prefix>? Local)
{
    /// <summary>Allows everything from everywhere: the rule Kubernetes namespace profiles hold.</summary>
    public bool MatchesAll => Protocol is null && Remote.Count == 1 && Remote[0].IsAny && Ranges.Count == 0 && Local is null;

    public bool AppliesTo(uint podAddress) => Local is null || Local.Any(p => p.Contains(podAddress));
}
