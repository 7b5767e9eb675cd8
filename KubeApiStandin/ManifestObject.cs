using k8s;
using k8s.Models;

namespace KubeApiStandin;

/// <summary>One object of a manifest file, with the key the API server knows it by and its content as JSON (to see changes).</summary>
internal sealed record ManifestObject(ResourceKind Kind, string? Namespace, string Name, IKubernetesObject<V1ObjectMeta> Item, string Json)
{
    public string Key => Kind.Kind + " " + (Namespace is null ? Name : Namespace + "/" + Name);
}
