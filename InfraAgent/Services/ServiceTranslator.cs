using System.Collections.Immutable;
using k8s.Models;
using Packets;

namespace InfraAgent.Services;

/// <summary>
/// A Service and its EndpointSlices → one <see cref="ServiceTranslation"/> per (IP, protocol, port):
/// ClusterIPs, externalIPs, load-balancer ingress IPs and, for NodePort/LoadBalancer services, the
/// node IP with the nodePort (reference-behaviour.md 6.8, from EndpointSlices, or from Endpoints read as
/// slices by <see cref="EndpointsConversion"/> on clusters without them).
/// Backends are the endpoints not marked not-ready, with the port of the slice port of the same name.
/// Traffic policies are kube-proxy's: with <c>externalTrafficPolicy: Local</c> the externalIPs, load-balancer
/// IPs and the NodePort go to this node's endpoints only, with <c>internalTrafficPolicy: Local</c> the
/// ClusterIPs do (none here: the port is not balanced on this node, as kube-proxy drops it).
/// </summary>
internal static class ServiceTranslator
{
    /// <summary>The translations, sorted by key, and a line for each port or address that was skipped.</summary>
    public static (IReadOnlyList<ServiceTranslation> Translations, IReadOnlyList<string> Skipped) Translate(
        V1Service service, IEnumerable<V1EndpointSlice> slices, IPv4Address? nodeIp, string nodeName)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(slices);
        var result = new SortedDictionary<ServiceKey, ServiceTranslation>();
        var skipped = new List<string>();
        var spec = service.Spec;
        if (spec is null || string.Equals(spec.ClusterIP, "None", StringComparison.Ordinal) || string.Equals(spec.Type, "ExternalName", StringComparison.Ordinal))
        {
            return ([], skipped); // headless or ExternalName: nothing to balance
        }

        var sliceList = slices.Where(s => string.Equals(s.AddressType, "IPv4", StringComparison.Ordinal)).ToList();
        IList<string> clusterAddresses = spec.ClusterIPs is { Count: > 0 } ips ? ips : spec.ClusterIP is { } ip ? [ip] : [];
        var externalAddresses = new List<string>(spec.ExternalIPs ?? []);
        externalAddresses.AddRange((service.Status?.LoadBalancer?.Ingress ?? []).Select(i => i.Ip).OfType<string>());
        var nodePorts = spec.Type is "NodePort" or "LoadBalancer";
        var internalLocal = string.Equals(spec.InternalTrafficPolicy, "Local", StringComparison.Ordinal);
        var externalLocal = string.Equals(spec.ExternalTrafficPolicy, "Local", StringComparison.Ordinal);

        foreach (var port in spec.Ports ?? [])
        {
            if (!TryProtocol(port.Protocol, out var protocol))
            {
                skipped.Add($"port {port.Name ?? "-"} {port.Port}/{port.Protocol}: protocol not offloaded");
                continue;
            }

            var backends = Backends(port, protocol, sliceList, localTo: null);
            var localBackends = internalLocal || externalLocal ? Backends(port, protocol, sliceList, localTo: nodeName) : backends;
            AddAll(clusterAddresses, port, protocol, internalLocal ? localBackends : backends);
            var external = externalLocal ? localBackends : backends;
            AddAll(externalAddresses, port, protocol, external);
            if (nodePorts && port.NodePort is > 0 and <= ushort.MaxValue)
            {
                if (nodeIp is { } node)
                {
                    Add(new ServiceKey(node, protocol, (ushort)port.NodePort.Value), external);
                }
                else
                {
                    skipped.Add($"port {port.Name ?? "-"} nodePort {port.NodePort}: the node IP is unknown");
                }
            }
        }

        return ([.. result.Values], skipped);

        void Add(ServiceKey key, ImmutableArray<ServiceBackend> backends) => result[key] = new ServiceTranslation(key, backends);

        void AddAll(IEnumerable<string> addresses, V1ServicePort port, ServiceProtocol protocol, ImmutableArray<ServiceBackend> backends)
        {
            // IPv6 families and unparseable addresses are left out: the manager programs IPv4 only.
            foreach (var address in addresses)
            {
                if (IPv4Address.TryParse(address, out var ipv4) && ipv4.Value != 0)
                {
                    Add(new ServiceKey(ipv4, protocol, (ushort)port.Port), backends);
                }
            }
        }
    }

    /// <summary>The ready endpoints of the port, on any node or (<paramref name="localTo"/>) on that node only.</summary>
    private static ImmutableArray<ServiceBackend> Backends(V1ServicePort port, ServiceProtocol protocol, List<V1EndpointSlice> slices, string? localTo)
    {
        var backends = new SortedSet<ServiceBackend>();
        foreach (var slice in slices)
        {
            // The EndpointSlice controller names each slice port after the service port and resolves the target port per slice.
            var slicePort = slice.Ports?.FirstOrDefault(p =>
                string.Equals(p.Name ?? string.Empty, port.Name ?? string.Empty, StringComparison.Ordinal)
                && TryProtocol(p.Protocol, out var p2) && p2 == protocol);
            if (slicePort?.Port is not (> 0 and <= ushort.MaxValue))
            {
                continue;
            }

            foreach (var endpoint in slice.Endpoints ?? [])
            {
                if (endpoint.Conditions?.Ready == false || (localTo is not null && !string.Equals(endpoint.NodeName, localTo, StringComparison.Ordinal)))
                {
                    continue;
                }

                foreach (var address in endpoint.Addresses ?? [])
                {
                    if (IPv4Address.TryParse(address, out var ip))
                    {
                        backends.Add(new ServiceBackend(ip, (ushort)slicePort.Port.Value));
                    }
                }
            }
        }

        return [.. backends];
    }

    private static bool TryProtocol(string? name, out ServiceProtocol protocol)
    {
        switch (name ?? "TCP")
        {
            case "TCP":
                protocol = ServiceProtocol.Tcp;
                return true;
            case "UDP":
                protocol = ServiceProtocol.Udp;
                return true;
            default:
                protocol = default;
                return false;
        }
    }
}
