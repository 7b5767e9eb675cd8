using k8s.Models;
using Xunit;

namespace Deploy.Tests.Manifests;

/// <summary>Lookups in a pod template that fail the test, naming what is missing.</summary>
internal static class PodSpecs
{
    public static V1Container Container(this V1PodSpec spec, string name) =>
        Assert.Single(spec.Containers, c => c.Name == name);

    public static V1Container InitContainer(this V1PodSpec spec, string name) =>
        Assert.Single(spec.InitContainers ?? [], c => c.Name == name);

    public static IEnumerable<V1Container> AllContainers(this V1PodSpec spec) => (spec.InitContainers ?? []).Concat(spec.Containers);

    public static V1Volume Volume(this V1PodSpec spec, string name) =>
        Assert.Single(spec.Volumes, v => v.Name == name);

    /// <summary>The mount at <paramref name="path"/> in <paramref name="container"/>, and the volume behind it.</summary>
    public static (V1VolumeMount Mount, V1Volume Volume) MountAt(this V1PodSpec spec, V1Container container, string path)
    {
        var mount = Assert.Single(container.VolumeMounts ?? [], m => m.MountPath.TrimEnd('/') == path.TrimEnd('/'));
        return (mount, spec.Volume(mount.Name));
    }

    public static V1EnvVar Env(this V1Container container, string name) =>
        Assert.Single(container.Env ?? [], e => e.Name == name);
}
