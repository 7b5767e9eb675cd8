using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using k8s;
using k8s.Models;

namespace InfraAgent.Kubernetes;

/// <summary>
/// The JSON of every API object the agent reads (lists, watch events, errors), generated at build time:
/// the agent is a Native AOT executable, where KubernetesClient's reflection-based JSON has no metadata
/// to work from. Registered into KubernetesClient's serializer options once, before the first request.
/// </summary>
[JsonSerializable(typeof(V1NodeList))]
[JsonSerializable(typeof(V1PodList))]
[JsonSerializable(typeof(V1ServiceList))]
[JsonSerializable(typeof(V1EndpointSliceList))]
[JsonSerializable(typeof(V1EndpointsList))]
[JsonSerializable(typeof(V1Status))]
[JsonSerializable(typeof(Watcher<KubernetesObject>.WatchEvent))]
[JsonSerializable(typeof(Watcher<V1Status>.WatchEvent))]
[JsonSerializable(typeof(Watcher<V1Service>.WatchEvent))]
[JsonSerializable(typeof(Watcher<V1EndpointSlice>.WatchEvent))]
[JsonSerializable(typeof(Watcher<V1Endpoints>.WatchEvent))]
internal sealed partial class KubernetesJsonContext : JsonSerializerContext
{
    private static readonly Lock Gate = new();
    private static bool s_registered;

    /// <summary>Puts this context first in KubernetesClient's resolver chain (once per process).</summary>
    public static void Register()
    {
        lock (Gate)
        {
            if (s_registered)
            {
                return;
            }

            KubernetesJson.AddJsonOptions(options => options.TypeInfoResolver = options.TypeInfoResolver is null
                ? Default
                : JsonTypeInfoResolver.Combine(Default, options.TypeInfoResolver));
            s_registered = true;
        }
    }
}
