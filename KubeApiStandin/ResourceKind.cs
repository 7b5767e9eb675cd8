namespace KubeApiStandin;

/// <summary>A kind the stand-in serves: its plural, API group path and list kind.</summary>
public sealed record ResourceKind(string Plural, string GroupVersion, string Kind, bool Namespaced)
{
    public static ResourceKind Services { get; } = new("services", "v1", "Service", Namespaced: true);

    public static ResourceKind Endpoints { get; } = new("endpoints", "v1", "Endpoints", Namespaced: true);

    public static ResourceKind EndpointSlices { get; } = new("endpointslices", "discovery.k8s.io/v1", "EndpointSlice", Namespaced: true);

    public static ResourceKind Nodes { get; } = new("nodes", "v1", "Node", Namespaced: false);

    public static ResourceKind Pods { get; } = new("pods", "v1", "Pod", Namespaced: true);

    public static IReadOnlyList<ResourceKind> All { get; } = [Services, Endpoints, EndpointSlices, Nodes, Pods];
}
