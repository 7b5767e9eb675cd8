using System.Collections.Immutable;

namespace InfraManager.State;

/// <summary>What SetSnatAddress and AddDelSnatPrefix last said (recorded; k8s_dp has no use for it yet).</summary>
internal sealed record SnatRecord(string Ipv4, string Ipv6, ImmutableSortedSet<string> Prefixes)
{
    public static SnatRecord Empty { get; } = new(string.Empty, string.Empty, ImmutableSortedSet.Create<string>(StringComparer.Ordinal));

    public bool Equals(SnatRecord? other) =>
        other is not null && Ipv4 == other.Ipv4 && Ipv6 == other.Ipv6 && Prefixes.SetEquals(other.Prefixes);

    public override int GetHashCode() => HashCode.Combine(Ipv4, Ipv6, Prefixes.Count);
}
