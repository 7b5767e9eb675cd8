using Deploy.Tests.Manifests;
using k8s.Models;
using Xunit;

namespace Deploy.Tests;

/// <summary>The three secrets of make tls-secrets (reference-behaviour.md 6.11), mounted read-only where the daemons look.</summary>
[Collection(RenderedDeployTests.Name)]
public sealed class SecretTests
{
    private readonly ManifestSet _manifests;

    public SecretTests(RenderedDeploy deploy)
    {
        ArgumentNullException.ThrowIfNull(deploy);
        _manifests = deploy.Manifests;
    }

    public static TheoryData<string, string, string, string> Mounts => new()
    {
        { "infraagent-ds", "agent", "agent-client-secret", NodePaths.AgentCertificates },
        { "infraagent-ds", "wait-for-manager", "agent-client-secret", NodePaths.AgentCertificates },
        { "inframanager-ds", "manager", "manager-server-secret", NodePaths.ManagerServerCertificates },
        { "inframanager-ds", "manager", "manager-client-secret", NodePaths.ManagerClientCertificates },
    };

    [Theory]
    [MemberData(nameof(Mounts))]
    public void Secret_IsMountedReadOnlyWhereTheDaemonReadsIt(string daemonSet, string container, string secret, string path)
    {
        var pod = _manifests.Single<V1DaemonSet>(daemonSet).Spec.Template.Spec;
        var (mount, volume) = pod.MountAt(pod.AllContainers().Single(c => c.Name == container), path);

        Assert.Equal(secret, volume.Secret.SecretName);
        Assert.True(mount.ReadOnlyProperty);
        // Nobody but the owner (and, for the non-root manager, its group) reads the keys.
        Assert.Contains(volume.Secret.DefaultMode, new int?[] { Convert.ToInt32("400", 8), Convert.ToInt32("440", 8) });
    }

    [Fact]
    public void EverySecretMount_IsReadOnly_AndOnlyTheThreeSecretsAreUsed()
    {
        var secretMounts =
            from daemonSet in _manifests.All<V1DaemonSet>()
            let pod = daemonSet.Spec.Template.Spec
            from container in pod.AllContainers()
            from mount in container.VolumeMounts ?? []
            let volume = pod.Volume(mount.Name)
            where volume.Secret is not null
            select (mount, volume.Secret.SecretName);

        Assert.NotEmpty(secretMounts);
        Assert.All(secretMounts, m => Assert.True(m.mount.ReadOnlyProperty, $"{m.SecretName} at {m.mount.MountPath} is writable"));
        Assert.Equal(
            ["agent-client-secret", "manager-client-secret", "manager-server-secret"],
            secretMounts.Select(m => m.SecretName).Distinct().Order(StringComparer.Ordinal));
    }
}
