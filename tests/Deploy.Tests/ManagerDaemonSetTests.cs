using Deploy.Tests.Manifests;
using k8s.Models;
using Xunit;

namespace Deploy.Tests;

/// <summary>inframanager-ds: host network, non-root with no capability, its host paths handed over by a root init container.</summary>
[Collection(RenderedDeployTests.Name)]
public sealed class ManagerDaemonSetTests
{
    private readonly ManifestSet _manifests;
    private readonly V1PodSpec _pod;

    public ManagerDaemonSetTests(RenderedDeploy deploy)
    {
        ArgumentNullException.ThrowIfNull(deploy);
        _manifests = deploy.Manifests;
        _pod = _manifests.Single<V1DaemonSet>("inframanager-ds").Spec.Template.Spec;
    }

    [Fact]
    public void Pod_RunsInTheHostNetworkAsTheImagesNonRootUser()
    {
        var user = long.Parse(Assert.IsType<string>(Dockerfile.Load("inframanager.Dockerfile").User), System.Globalization.CultureInfo.InvariantCulture);

        Assert.True(_pod.HostNetwork);
        Assert.Equal("linux", _pod.NodeSelector["kubernetes.io/os"]);
        Assert.True(_pod.SecurityContext.RunAsNonRoot);
        Assert.Equal(user, _pod.SecurityContext.RunAsUser);
        Assert.Equal(user, _pod.SecurityContext.RunAsGroup);
        Assert.Equal(user, _pod.SecurityContext.FsGroup);
        Assert.All(_pod.AllContainers(), c => Assert.Equal("inframanager:latest", c.Image));
    }

    [Fact]
    public void Manager_HasNoPrivilegeAndNodeIpFromTheDownwardApi()
    {
        var manager = _pod.Container("manager");

        Assert.Equal(["/usr/local/bin/inframanager"], manager.Command);
        Assert.Contains("/usr/local/bin/inframanager", Dockerfile.Load("inframanager.Dockerfile").CopiedTo);
        Assert.Null(manager.SecurityContext.RunAsUser);
        Assert.NotEqual(true, manager.SecurityContext.Privileged);
        Assert.False(manager.SecurityContext.AllowPrivilegeEscalation);
        Assert.True(manager.SecurityContext.ReadOnlyRootFilesystem);
        Assert.Equal(["ALL"], manager.SecurityContext.Capabilities.Drop);
        Assert.Null(manager.SecurityContext.Capabilities.Add);
        Assert.Equal("status.hostIP", manager.Env("NODE_IP").ValueFrom.FieldRef.FieldPath);
    }

    [Fact]
    public void HostPaths_AreHandedToTheManagersUserByARootInitContainerThatMayOnlyChown()
    {
        var init = _pod.InitContainer("host-paths");
        var manager = _pod.Container("manager");
        var user = _pod.SecurityContext.RunAsUser;

        Assert.Equal(0, init.SecurityContext.RunAsUser);
        Assert.False(init.SecurityContext.RunAsNonRoot);
        Assert.Equal(["ALL"], init.SecurityContext.Capabilities.Drop);
        Assert.Equal(["CHOWN", "DAC_READ_SEARCH"], init.SecurityContext.Capabilities.Add);
        var script = init.Command[^1];
        foreach (var path in new[] { "/var/lib/cni/inframanager", "/var/log/inframanager.log" })
        {
            Assert.Contains($"{user}:{user} {path}", script, StringComparison.Ordinal);
            // The init container chowns the very host path the manager then writes.
            Assert.Equal(_pod.MountAt(init, path).Volume.HostPath.Path, _pod.MountAt(manager, path).Volume.HostPath.Path);
        }
    }

    [Theory]
    [InlineData("/var/lib/cni/inframanager", "/var/lib/cni/inframanager", "DirectoryOrCreate", false)]
    [InlineData("/var/log/inframanager.log", "/var/log/inframanager.log", "FileOrCreate", false)]
    [InlineData("/var/lib/infra/k8s_dp", "/var/lib/infra/k8s_dp", "DirectoryOrCreate", true)]
    public void Manager_MountsItsStoreLogAndPipelineFromTheHost(string mountPath, string hostPath, string type, bool readOnly)
    {
        var (mount, volume) = _pod.MountAt(_pod.Container("manager"), mountPath);

        Assert.Equal((hostPath, type), (volume.HostPath.Path, volume.HostPath.Type));
        Assert.Equal(readOnly, mount.ReadOnlyProperty ?? false);
    }

    [Fact]
    public void Manager_HasAWritableTmpOnItsReadOnlyRoot()
    {
        Assert.NotNull(_pod.MountAt(_pod.Container("manager"), "/tmp").Volume.EmptyDir);
    }

    [Fact]
    public void Probes_ReadyWhenTheApiAcceptsAliveWhileMetricsAnswer()
    {
        var manager = _pod.Container("manager");

        Assert.Equal(("127.0.0.1", "50002"), (manager.ReadinessProbe.TcpSocket.Host, manager.ReadinessProbe.TcpSocket.Port.Value));
        Assert.Equal(("127.0.0.1", "50098", "/metrics"), (manager.LivenessProbe.HttpGet.Host, manager.LivenessProbe.HttpGet.Port.Value, manager.LivenessProbe.HttpGet.Path));
    }

    [Fact]
    public void Manager_MountsItsConfigurationReadOnly()
    {
        var (mount, volume) = _pod.MountAt(_pod.Container("manager"), NodePaths.ConfigDirectory);

        Assert.True(mount.ReadOnlyProperty);
        Assert.Equal(_manifests.GeneratedConfigMap("inframanager-config").Metadata.Name, volume.ConfigMap.Name);
    }
}
