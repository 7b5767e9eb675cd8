using k8s;
using k8s.Models;
using YamlDotNet.Core;

namespace KubeApiStandin;

/// <summary>
/// The objects of standard Kubernetes YAML files (multi-document, as kubectl apply -f takes them), of
/// the kinds the stand-in serves. Parsing is strict: an unknown field or kind is an error naming the
/// file and line, so a typo is not silently dropped.
/// </summary>
internal static class Manifest
{
    public static IReadOnlyList<ManifestObject> Parse(string yaml, string source)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        List<object> documents;
        try
        {
            documents = KubernetesYaml.LoadAllFromString(yaml, strict: true);
        }
        catch (YamlException e)
        {
            throw new InvalidDataException($"{source}: line {e.Start.Line}: {(e.InnerException?.Message ?? e.Message).TrimEnd('.')}", e);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or KeyNotFoundException)
        {
            throw new InvalidDataException($"{source}: {e.Message}", e);
        }

        var objects = new List<ManifestObject>();
        foreach (var document in documents)
        {
            if (document is not IKubernetesObject<V1ObjectMeta> item)
            {
                throw new InvalidDataException($"{source}: a {document?.GetType().Name ?? "null"} document is not an object with metadata");
            }

            var kind = ResourceKind.All.FirstOrDefault(k => k.Kind == item.Kind && k.GroupVersion == item.ApiVersion)
                ?? throw new InvalidDataException($"{source}: {item.ApiVersion} {item.Kind} is not served (Service, Endpoints, Node, Pod in v1; EndpointSlice in discovery.k8s.io/v1)");
            if (string.IsNullOrEmpty(item.Metadata?.Name))
            {
                throw new InvalidDataException($"{source}: a {item.Kind} without metadata.name");
            }

            var ns = kind.Namespaced ? item.Metadata.NamespaceProperty ?? "default" : null;
            var manifestObject = new ManifestObject(kind, ns, item.Metadata.Name, item, KubernetesJson.Serialize(item));
            if (objects.Any(o => o.Key == manifestObject.Key))
            {
                throw new InvalidDataException($"{source}: {manifestObject.Key} appears twice");
            }

            objects.Add(manifestObject);
        }

        return objects;
    }
}
