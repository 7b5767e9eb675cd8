using System.Globalization;
using System.Text;
using Packets;

namespace Netlink;

/// <summary>
/// A unicast route of the main table: <c>&lt;Destination&gt; [via Gateway] [dev Device] [scope] [metric]</c>.
/// Records compare by value, so a listed route can be compared with the one wanted.
/// </summary>
/// <param name="Device">The output link's name; null lets the kernel pick it from the gateway.</param>
/// <param name="Metric">RTA_PRIORITY; 0 is the kernel's default (and matches any metric on delete).</param>
public sealed record IPv4Route(
    IPv4Prefix Destination,
    string? Device,
    IPv4Address? Gateway = null,
    RouteScope Scope = RouteScope.Universe,
    uint Metric = 0)
{
    /// <summary>As <c>ip route</c> would write it, e.g. <c>0.0.0.0/0 via 169.254.1.1 dev eth0</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder(Destination.ToString());
        if (Gateway is { } gateway)
        {
            text.Append(" via ").Append(gateway.ToString());
        }

        if (Device is not null)
        {
            text.Append(" dev ").Append(Device);
        }

        if (Scope != RouteScope.Universe)
        {
            text.Append(" scope ").Append(Scope.ToString().ToLowerInvariant());
        }

        if (Metric != 0)
        {
            text.Append(" metric ").Append(Metric.ToString(CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }
}
