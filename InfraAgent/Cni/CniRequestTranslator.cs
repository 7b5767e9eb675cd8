using System.Text;
using Grpc.Core;
using Netlink;
using Proto.Cni;

namespace InfraAgent.Cni;

/// <summary>Parses Calico's AddRequest and DelRequest at the edge; malformed input is InvalidArgument "&lt;field&gt;: &lt;why&gt;".</summary>
internal static class CniRequestTranslator
{
    public static PodAddRequest Add(AddRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var key = Key(request.Netns, request.InterfaceName);
        var mtu = request.Settings?.Mtu ?? 0;
        if (mtu != 0 && mtu is < 68 or > 65535)
        {
            throw Invalid("settings.mtu", $"{mtu} is outside 68..65535 (0 keeps the interface's)");
        }

        var addresses = new List<IPv4Prefix>();
        var gateways = new List<string>();
        for (var i = 0; i < request.ContainerIps.Count; i++)
        {
            var text = request.ContainerIps[i].Address;
            if (IsIPv6(text))
            {
                continue; // k8s_dp routes IPv4 only; a dual-stack pod keeps its IPv6 elsewhere.
            }

            if (!IPv4Prefix.TryParse(text, out var address))
            {
                throw Invalid($"container_ips[{i}].address", $"'{text}' is not an IPv4 address like 10.244.0.6/24");
            }

            addresses.Add(address);
            gateways.Add(request.ContainerIps[i].Gateway);
        }

        if (addresses.Count == 0)
        {
            throw Invalid("container_ips", "at least one IPv4 address is required");
        }

        var routes = new List<IPv4Prefix>();
        for (var i = 0; i < request.ContainerRoutes.Count; i++)
        {
            var text = request.ContainerRoutes[i];
            if (IsIPv6(text))
            {
                continue;
            }

            if (!IPv4Prefix.TryParse(text, out var route) || route.Network != route.Address)
            {
                throw Invalid($"container_routes[{i}]", $"'{text}' is not an IPv4 destination like 0.0.0.0/0");
            }

            routes.Add(route);
        }

        return new PodAddRequest(key, request.DesiredHostInterfaceName, mtu, addresses, routes, gateways);
    }

    public static PodKey Del(DelRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Key(request.Netns, request.InterfaceName);
    }

    private static PodKey Key(string netns, string interfaceName)
    {
        if (string.IsNullOrEmpty(netns))
        {
            throw Invalid("netns", "required (the pod's network namespace path)");
        }

        if (!Path.IsPathFullyQualified(netns) || Path.GetFileName(netns) is "" or "." or "..")
        {
            throw Invalid("netns", $"'{netns}' is not an absolute path to a network namespace");
        }

        if (string.IsNullOrEmpty(interfaceName))
        {
            throw Invalid("interface_name", "required (the interface name in the pod, e.g. eth0)");
        }

        if (Encoding.UTF8.GetByteCount(interfaceName) > RouteNetlinkClient.MaxLinkNameLength
            || interfaceName is "." or ".."
            || interfaceName.AsSpan().IndexOfAny("/: \t\n") >= 0)
        {
            throw Invalid("interface_name", $"'{interfaceName}' is not an interface name (1..15 bytes, no '/', ':' or spaces)");
        }

        return new PodKey(netns, interfaceName);
    }

    private static bool IsIPv6(string text) => text.Contains(':', StringComparison.Ordinal);

    private static RpcException Invalid(string field, string why) => new(new Status(StatusCode.InvalidArgument, $"{field}: {why}"));
}
