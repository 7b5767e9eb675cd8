namespace InfraManager.Policy;

/// <summary>One of a rule group's eight checks: the far address in one of <paramref name="Remote"/> and the destination port (or ICMP type_code) in <paramref name="Range"/>.</summary>
internal sealed record AclSlot(IReadOnlyList<Ipv4Prefix> Remote, PortRange Range)
{
    public override string ToString() => $"{string.Join(',', Remote)} {Range}";
}
