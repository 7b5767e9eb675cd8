using k8s.Models;

namespace InfraAgent.Services;

/// <summary>
/// Clusters that serve no discovery.k8s.io/v1 EndpointSlices (before Kubernetes 1.21) describe a
/// Service's endpoints in one core/v1 Endpoints object of the same name. Each of its subsets (a set of
/// addresses that all serve the same ports) reads as one EndpointSlice, so the translation is the same.
/// </summary>
internal static class EndpointsConversion
{
    public static IEnumerable<V1EndpointSlice> ToSlices(V1Endpoints endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        foreach (var subset in endpoints.Subsets ?? [])
        {
            yield return new V1EndpointSlice
            {
                Metadata = new V1ObjectMeta { Name = endpoints.Metadata?.Name, NamespaceProperty = endpoints.Metadata?.NamespaceProperty },
                AddressType = "IPv4", // the translation parses each address and keeps the IPv4 ones
                Ports = [.. (subset.Ports ?? []).Select(p => new Discoveryv1EndpointPort { Name = p.Name, Port = p.Port, Protocol = p.Protocol })],
                Endpoints =
                [
                    .. (subset.Addresses ?? []).Select(a => Endpoint(a, ready: true)),
                    .. (subset.NotReadyAddresses ?? []).Select(a => Endpoint(a, ready: false)),
                ],
            };
        }
    }

    private static V1Endpoint Endpoint(V1EndpointAddress address, bool ready) => new()
    {
        Addresses = [address.Ip],
        NodeName = address.NodeName,
        Conditions = new V1EndpointConditions { Ready = ready },
    };
}
