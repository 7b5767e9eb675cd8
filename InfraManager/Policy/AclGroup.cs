namespace InfraManager.Policy;

/// <summary>
/// A rule group: what one pol_id stands for in k8s_dp. Its entries are the ipset table's (one per
/// distinct prefix of its slots, with the mask of the slots whose addresses hold that prefix) and,
/// when <see cref="RangeCheckRef"/> is not 0, one range-check entry with a min/max pair per slot.
/// Pods with the same rules share a group; <see cref="Content"/> is its identity.
/// </summary>
internal sealed class AclGroup
{
    public const int MaxSlots = 8;

    public AclGroup(AclDirection direction, byte rangeCheckRef, IReadOnlyList<AclSlot> slots)
    {
        Direction = direction;
        RangeCheckRef = rangeCheckRef;
        Slots = slots;
        var kind = rangeCheckRef == 0 ? "addresses" : $"ports(ref {rangeCheckRef})";
        Content = $"{(direction == AclDirection.Ingress ? "ingress" : "egress")} {kind}: {string.Join("; ", slots)}";
    }

    public AclDirection Direction { get; }

    /// <summary>0: addresses only (set_status_match_ipset_only); else the range-check table (1 tcp, 2 udp, 3 sctp, 4 udplite, 5 icmp).</summary>
    public byte RangeCheckRef { get; }

    public IReadOnlyList<AclSlot> Slots { get; }

    public string Content { get; }

    /// <summary>Each distinct prefix with the bits of the slots it falls in: longest-prefix match then gives every slot the address is in.</summary>
    public IEnumerable<(Ipv4Prefix Prefix, byte Mask)> PrefixMasks()
    {
        var prefixes = Slots.SelectMany(s => s.Remote).Distinct().Order();
        foreach (var prefix in prefixes)
        {
            byte mask = 0;
            for (var i = 0; i < Slots.Count; i++)
            {
                if (Slots[i].Remote.Any(r => r.Contains(prefix)))
                {
                    mask |= (byte)(1 << i);
                }
            }

            yield return (prefix, mask);
        }
    }

    public override string ToString() => Content;
}
