using Packets;

namespace InfraManager.State;

/// <summary>Orders IPv4 addresses numerically (10.0.0.9 before 10.0.0.10).</summary>
internal sealed class Ipv4Comparer : IComparer<IPv4Address>
{
    public static Ipv4Comparer Instance { get; } = new();

    public int Compare(IPv4Address x, IPv4Address y) => x.Value.CompareTo(y.Value);
}
