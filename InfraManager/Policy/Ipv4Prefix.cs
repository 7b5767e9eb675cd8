using System.Globalization;
using Packets;

namespace InfraManager.Policy;

/// <summary>An IPv4 network (host bits zero); /0 is every address.</summary>
internal readonly record struct Ipv4Prefix(uint Network, int Length) : IComparable<Ipv4Prefix>
{
    public static Ipv4Prefix Any { get; } = new(0, 0);

    public bool IsAny => Length == 0;

    /// <summary>Parses "a.b.c.d" (a /32) or "a.b.c.d/n" (host bits cleared); false for IPv6 and anything else.</summary>
    public static bool TryParse(string text, out Ipv4Prefix prefix)
    {
        prefix = default;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var address = slash < 0 ? text.AsSpan() : text.AsSpan(0, slash);
        var length = 32;
        if (slash >= 0 && (!int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out length) || length > 32))
        {
            return false;
        }

        if (!IPv4Address.TryParse(address, out var ip))
        {
            return false;
        }

        prefix = new Ipv4Prefix(ip.Value & Mask(length), length);
        return true;
    }

    public static uint Mask(int length) => length == 0 ? 0 : uint.MaxValue << (32 - length);

    /// <summary>Whether every address of <paramref name="other"/> is in this network.</summary>
    public bool Contains(Ipv4Prefix other) => other.Length >= Length && (other.Network & Mask(Length)) == Network;

    public bool Contains(uint address) => (address & Mask(Length)) == Network;

    public int CompareTo(Ipv4Prefix other)
    {
        var byNetwork = Network.CompareTo(other.Network);
        return byNetwork != 0 ? byNetwork : Length.CompareTo(other.Length);
    }

    /// <summary>The addresses in both lists, as a sorted list with no prefix inside another.</summary>
    public static IReadOnlyList<Ipv4Prefix> Intersect(IReadOnlyList<Ipv4Prefix> a, IReadOnlyList<Ipv4Prefix> b)
    {
        var both = new List<Ipv4Prefix>();
        foreach (var x in a)
        {
            foreach (var y in b)
            {
                if (x.Contains(y))
                {
                    both.Add(y);
                }
                else if (y.Contains(x))
                {
                    both.Add(x);
                }
            }
        }

        return Normalize(both);
    }

    /// <summary>Sorted, without duplicates or prefixes inside another of the list.</summary>
    public static IReadOnlyList<Ipv4Prefix> Normalize(IEnumerable<Ipv4Prefix> prefixes)
    {
        // Kept prefixes are disjoint and sorted by network, so a container of the next one (whose
        // network is at least theirs) can only be the last kept.
        var sorted = prefixes.Distinct().OrderBy(p => p.Network).ThenBy(p => p.Length).ToList();
        var kept = new List<Ipv4Prefix>(sorted.Count);
        foreach (var prefix in sorted)
        {
            if (kept.Count == 0 || !kept[^1].Contains(prefix))
            {
                kept.Add(prefix);
            }
        }

        return kept;
    }

    public override string ToString() => $"{new IPv4Address(Network)}/{Length}";
}
