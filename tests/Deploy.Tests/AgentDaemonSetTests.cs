using Deploy.Tests.Manifests;
using k8s.Models;
using Xunit;

namespace Deploy.Tests;

/// <summary>infraagent-ds as reference-behaviour.md 8.3 describes it, with the secrets read-only and probes on loopback.</summary>
[Collection(RenderedDeployTests.Name)]
public sealed class AgentDaemonSetTests
{
    private readonly ManifestSet _manifests;
    private readonly V1DaemonSet _daemonSet;
    private readonly V1PodSpec _pod;

    public AgentDaemonSetTests(RenderedDeploy deploy)
    {
        ArgumentNullException.ThrowIfNull(deploy);
        _manifests = deploy.Manifests;
        _daemonSet = _manifests.Single<V1DaemonSet>("infraagent-ds");
        _pod = _daemonSet.Spec.Template.Spec;
    }

    [Fact]
    public void Pod_RunsOnEveryLinuxNodeInTheHostNetwork()
    {
        Assert.True(_pod.HostNetwork);
        Assert.Equal("ClusterFirstWithHostNet", _pod.DnsPolicy);
        Assert.Equal("linux", _pod.NodeSelector["kubernetes.io/os"]);
        Assert.Equal(_daemonSet.Spec.Selector.MatchLabels, _daemonSet.Spec.Template.Metadata.Labels);
        // Before pod networking works the node is not ready, and a lone control plane is tainted.
        foreach (var taint in new[] { "node-role.kubernetes.io/control-plane", "node-role.kubernetes.io/master", "node.kubernetes.io/not-ready", "node.kubernetes.io/network-unavailable" })
        {
            Assert.Contains(_pod.Tolerations, t => t.Key == taint && t.OperatorProperty == "Exists" && t.Effect == "NoSchedule");
        }
    }

    [Fact]
    public void Images_AreTheAgentImageEverywhere()
    {
        Assert.All(_pod.AllContainers(), c => Assert.Equal("infraagent:latest", c.Image));
        Assert.Equal(["install-felix-proxy", "wait-for-manager"], _pod.InitContainers.Select(c => c.Name));
        Assert.Equal(["agent"], _pod.Containers.Select(c => c.Name));
    }

    [Fact]
    public void InstallFelixProxy_CopiesTheProxyWhereFelixRunsIt()
    {
        var init = _pod.InitContainer("install-felix-proxy");
        var (_, calico) = _pod.MountAt(init, "/var/lib/calico");

        var script = Assert.Single(init.Command, a => a.Contains("cp ", StringComparison.Ordinal));
        Assert.Contains("cp /usr/local/bin/felix-api-proxy ", script, StringComparison.Ordinal);
        // Renamed into place, never overwritten: a running proxy keeps its file.
        Assert.EndsWith($"mv -f /var/lib/calico/felix-plugins/.felix-api-proxy.new {NodePaths.FelixDriver}", script, StringComparison.Ordinal);
        Assert.Equal("/var/lib/calico", calico.HostPath.Path);
        Assert.Contains("/usr/local/bin/felix-api-proxy", Dockerfile.Load("infraagent.Dockerfile").CopiedTo);
    }

    [Fact]
    public void WaitForManager_RunsCheckManagerWithTheAgentsConfigurationAndCertificates()
    {
        var init = _pod.InitContainer("wait-for-manager");

        Assert.Equal(["/usr/local/bin/infraagent", "checkManager"], init.Command);
        Assert.Equal("spec.nodeName", init.Env("NODE_NAME").ValueFrom.FieldRef.FieldPath);
        Assert.True(_pod.MountAt(init, NodePaths.ConfigDirectory).Mount.ReadOnlyProperty);
        Assert.Equal("agent-client-secret", _pod.MountAt(init, NodePaths.AgentCertificates).Volume.Secret.SecretName);
    }

    [Fact]
    public void Agent_IsPrivilegedWithNodeNameAndNodeIpFromTheDownwardApi()
    {
        var agent = _pod.Container("agent");

        Assert.Equal(["/usr/local/bin/infraagent"], agent.Command);
        Assert.Contains("/usr/local/bin/infraagent", Dockerfile.Load("infraagent.Dockerfile").CopiedTo);
        Assert.True(agent.SecurityContext.Privileged);
        Assert.Equal(0, agent.SecurityContext.RunAsUser);
        Assert.Equal("spec.nodeName", agent.Env("NODE_NAME").ValueFrom.FieldRef.FieldPath);
        Assert.Equal("status.hostIP", agent.Env("NODE_IP").ValueFrom.FieldRef.FieldPath);
        Assert.Equal(["--nodeIp", "$(NODE_IP)"], agent.Args);
    }

    [Fact]
    public void Probes_ReadinessIsTheCheckCalicoWaitsFor_LivenessTheHttpEndpoint()
    {
        var agent = _pod.Container("agent");

        Assert.Equal(("127.0.0.1", "50096", "/check"), (agent.ReadinessProbe.HttpGet.Host, agent.ReadinessProbe.HttpGet.Port.Value, agent.ReadinessProbe.HttpGet.Path));
        Assert.Equal(("127.0.0.1", "50096", "/metrics"), (agent.LivenessProbe.HttpGet.Host, agent.LivenessProbe.HttpGet.Port.Value, agent.LivenessProbe.HttpGet.Path));
    }

    [Theory]
    [InlineData("/run/netns", "/run/netns", "DirectoryOrCreate")]
    [InlineData("/var/run/calico", "/var/run/calico", "DirectoryOrCreate")]
    [InlineData("/var/lib/cni/infraagent", "/var/lib/cni/infraagent", "DirectoryOrCreate")]
    [InlineData("/var/log/infraagent", "/var/log/infraagent", "DirectoryOrCreate")]
    public void Agent_MountsTheHostPathsItWorksIn(string mountPath, string hostPath, string type)
    {
        var (mount, volume) = _pod.MountAt(_pod.Container("agent"), mountPath);

        Assert.Equal((hostPath, type), (volume.HostPath.Path, volume.HostPath.Type));
        Assert.NotEqual(true, mount.ReadOnlyProperty);
    }

    [Fact]
    public void NetworkNamespaces_PropagateFromTheHost()
    {
        // Namespaces the runtime makes for new pods are bind mounts: without propagation the agent never sees them.
        Assert.Equal("Bidirectional", _pod.MountAt(_pod.Container("agent"), "/run/netns").Mount.MountPropagation);
    }

    [Fact]
    public void Agent_MountsItsConfigurationAndCertificatesReadOnly()
    {
        var agent = _pod.Container("agent");
        var (config, configVolume) = _pod.MountAt(agent, NodePaths.ConfigDirectory);
        var (certs, certVolume) = _pod.MountAt(agent, NodePaths.AgentCertificates);

        Assert.True(config.ReadOnlyProperty);
        Assert.Equal(_manifests.GeneratedConfigMap("infraagent-config").Metadata.Name, configVolume.ConfigMap.Name);
        Assert.True(certs.ReadOnlyProperty);
        Assert.Equal("agent-client-secret", certVolume.Secret.SecretName);
    }
}
