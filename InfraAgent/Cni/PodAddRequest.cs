using Netlink;

namespace InfraAgent.Cni;

/// <summary>A CNI ADD, parsed: names checked, IPv4 addresses and routes typed (IPv6 entries dropped).</summary>
/// <param name="Mtu">settings.mtu, or 0 to keep the TAP's.</param>
internal sealed record PodAddRequest(
    PodKey Key,
    string DesiredHostInterfaceName,
    int Mtu,
    IReadOnlyList<IPv4Prefix> Addresses,
    IReadOnlyList<IPv4Prefix> Routes,
    IReadOnlyList<string> Gateways);
