using k8s;
using k8s.Models;
using Xunit;
using YamlDotNet.Core;

namespace Deploy.Tests.Manifests;

/// <summary>
/// The objects of one rendered manifest, each as KubernetesClient's typed model. Parsing is strict: an
/// unknown kind or field is an <see cref="InvalidDataException"/> naming the source and line.
/// </summary>
internal sealed class ManifestSet
{
    private static readonly Dictionary<string, Type> s_extraKinds = new(StringComparer.Ordinal)
    {
        [$"{FelixConfiguration.KubeApiVersion}/{FelixConfiguration.KubeKind}"] = typeof(FelixConfiguration),
    };

    private ManifestSet(IReadOnlyList<IKubernetesObject<V1ObjectMeta>> objects)
    {
        Objects = objects;
    }

    public IReadOnlyList<IKubernetesObject<V1ObjectMeta>> Objects { get; }

    public static ManifestSet Parse(string yaml, string source)
    {
        List<object> documents;
        try
        {
            documents = KubernetesYaml.LoadAllFromString(yaml, s_extraKinds, strict: true);
        }
        catch (YamlException e)
        {
            throw new InvalidDataException($"{source}: line {e.Start.Line}: {(e.InnerException?.Message ?? e.Message).TrimEnd('.')}", e);
        }
        catch (KeyNotFoundException e)
        {
            throw new InvalidDataException($"{source}: {e.Message}", e);
        }

        var objects = new List<IKubernetesObject<V1ObjectMeta>>();
        foreach (var document in documents)
        {
            objects.Add(document as IKubernetesObject<V1ObjectMeta>
                ?? throw new InvalidDataException($"{source}: a {document?.GetType().Name ?? "null"} document is not an object with metadata"));
        }

        return new ManifestSet(objects);
    }

    public static async Task<ManifestSet> LoadFileAsync(string path) => Parse(await File.ReadAllTextAsync(path), path);

    public IEnumerable<T> All<T>() => Objects.OfType<T>();

    /// <summary>The one <typeparamref name="T"/> named <paramref name="name"/>; its absence fails the test.</summary>
    public T Single<T>(string name)
        where T : IKubernetesObject<V1ObjectMeta> =>
        Assert.Single(All<T>(), o => o.Metadata.Name == name);

    /// <summary>The ConfigMap generated from <paramref name="baseName"/> (kustomize appends a hash of its content).</summary>
    public V1ConfigMap GeneratedConfigMap(string baseName) =>
        Assert.Single(All<V1ConfigMap>(), c => c.Metadata.Name.StartsWith(baseName + "-", StringComparison.Ordinal));
}
