namespace Deploy.Tests.Manifests;

/// <summary>One verb on one resource of one API group, as an RBAC rule grants it.</summary>
internal readonly record struct ApiAccess(string Group, string Resource, string Verb)
{
    private static readonly (string Prefix, string Verb)[] s_verbs =
    [
        ("WatchList", "watch"), ("List", "list"), ("Read", "get"), ("Create", "create"),
        ("DeleteCollection", "deletecollection"), ("Delete", "delete"), ("Patch", "patch"), ("Replace", "update"),
    ];

    /// <summary>The access a KubernetesClient method needs, e.g. DiscoveryV1.WatchListEndpointSliceForAllNamespaces.</summary>
    public static ApiAccess FromClientMethod(string api, string method)
    {
        var group = api switch
        {
            "CoreV1" => string.Empty,
            "DiscoveryV1" => "discovery.k8s.io",
            "NetworkingV1" => "networking.k8s.io",
            "AppsV1" => "apps",
            "CoordinationV1" => "coordination.k8s.io",
            _ => throw new ArgumentException($"unknown API {api}", nameof(api)),
        };
        var (prefix, verb) = s_verbs.FirstOrDefault(v => method.StartsWith(v.Prefix, StringComparison.Ordinal));
        if (prefix is null)
        {
            throw new ArgumentException($"{api}.{method}: not a list, watch, read or write", nameof(method));
        }

        var kind = method[prefix.Length..].Replace("Namespaced", string.Empty, StringComparison.Ordinal).Replace("ForAllNamespaces", string.Empty, StringComparison.Ordinal);
        var subresource = string.Empty;
        if (kind.EndsWith("Status", StringComparison.Ordinal))
        {
            kind = kind[..^"Status".Length];
            subresource = "/status";
        }

        return new ApiAccess(group, Plural(kind) + subresource, verb);
    }

    private static string Plural(string kind)
    {
        var lower = kind.ToLowerInvariant();
        return lower.EndsWith('s') ? lower : lower.EndsWith('y') ? lower[..^1] + "ies" : lower + "s";
    }
}
