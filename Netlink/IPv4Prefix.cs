using System.Globalization;
using Packets;

namespace Netlink;

/// <summary>
/// An IPv4 address with a prefix length, <c>10.244.0.6/32</c>. Host bits are kept: an interface address
/// such as 10.0.0.5/24 is valid; the kernel rejects a route destination that has them.
/// </summary>
public readonly record struct IPv4Prefix
{
    public IPv4Prefix(IPv4Address address, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, 32);
        Address = address;
        Length = length;
    }

    /// <summary>0.0.0.0/0.</summary>
    public static IPv4Prefix Default => default;

    public IPv4Address Address { get; }

    public int Length { get; }

    /// <summary>The address with its host bits cleared.</summary>
    public IPv4Address Network => new(Length == 0 ? 0 : Address.Value & (uint.MaxValue << (32 - Length)));

    /// <summary><paramref name="address"/>/32.</summary>
    public static IPv4Prefix Host(IPv4Address address) => new(address, 32);

    /// <summary>Parses <c>a.b.c.d/n</c>, or a bare dotted quad as /32.</summary>
    public static IPv4Prefix Parse(string text) =>
        TryParse(text, out var prefix) ? prefix : throw new FormatException($"'{text}' is not an IPv4 prefix");

    public static bool TryParse(ReadOnlySpan<char> text, out IPv4Prefix prefix)
    {
        prefix = default;
        var slash = text.IndexOf('/');
        var length = 32;
        if (slash >= 0)
        {
            var digits = text[(slash + 1)..];
            if (digits.IsEmpty || digits.Length > 2 || !int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out length) || length > 32)
            {
                return false;
            }

            text = text[..slash];
        }

        // Dotted quads only: IPAddress also takes "10.0.0" and "10", which a typo should not become.
        if (text.Count('.') != 3 || !IPv4Address.TryParse(text, out var address))
        {
            return false;
        }

        prefix = new IPv4Prefix(address, length);
        return true;
    }

    public override string ToString() => $"{Address}/{Length.ToString(CultureInfo.InvariantCulture)}";
}
