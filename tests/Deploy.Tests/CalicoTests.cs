using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Deploy.Tests.Manifests;
using k8s.Models;
using TestSupport;
using Xunit;

namespace Deploy.Tests;

/// <summary>
/// deploy/calico-with-grpc.yaml and felix-configuration.yaml (reference-behaviour.md 8.6, 8.7): the CNI plugin
/// delegates to the agent over gRPC behind its readiness gate, and Felix runs felix-api-proxy.
/// </summary>
public sealed partial class CalicoTests
{
    private static readonly string s_calicoFile = Path.Combine(RenderedDeploy.DeployDirectory, "calico-with-grpc.yaml");

    /// <summary>The calico plugin's entry of the CNI configuration install-cni writes, placeholders filled as it fills them.</summary>
    internal static JsonObject CalicoPlugin()
    {
        var config = ManifestSet.Parse(File.ReadAllText(s_calicoFile), s_calicoFile).Single<V1ConfigMap>("calico-config");
        var json = config.Data["cni_network_config"]
            .Replace("__KUBERNETES_NODE_NAME__", "node-1", StringComparison.Ordinal)
            .Replace("__CNI_MTU__", config.Data["veth_mtu"], StringComparison.Ordinal)
            .Replace("__KUBECONFIG_FILEPATH__", "/etc/cni/net.d/calico-kubeconfig", StringComparison.Ordinal);
        var list = Assert.IsType<JsonObject>(JsonNode.Parse(json));
        Assert.Equal("k8s-pod-network", list["name"]?.GetValue<string>());
        return Assert.IsType<JsonObject>(Assert.Single(list["plugins"]!.AsArray(), p => p?["type"]?.GetValue<string>() == "calico"));
    }

    [Fact]
    public void CniConfig_DelegatesPodsToTheAgentOverGrpcBehindItsReadinessGate()
    {
        var calico = CalicoPlugin();

        Assert.Equal("grpc", calico["dataplane_options"]?["type"]?.GetValue<string>());
        Assert.Equal("127.0.0.1:50001", calico["dataplane_options"]?["socket"]?.GetValue<string>());
        Assert.Equal(["http://127.0.0.1:50096/check"], calico["readiness_gates"]!.AsArray().Select(g => g!.GetValue<string>()));
        Assert.Equal("host-local", calico["ipam"]?["type"]?.GetValue<string>());
        Assert.Equal("usePodCidr", calico["ipam"]?["subnet"]?.GetValue<string>());
        Assert.Equal("kubernetes", calico["datastore_type"]?.GetValue<string>());
        Assert.Equal(1500, calico["mtu"]?.GetValue<int>());
    }

    [Fact]
    public void CalicoNode_RunsFelixWithTheProxyAsItsDataplaneDriver()
    {
        var manifests = ManifestSet.Parse(File.ReadAllText(s_calicoFile), s_calicoFile);
        var pod = manifests.Single<V1DaemonSet>("calico-node").Spec.Template.Spec;
        var node = pod.Container("calico-node");
        var config = manifests.Single<V1ConfigMap>("calico-config");

        Assert.Equal("false", node.Env("FELIX_USEINTERNALDATAPLANEDRIVER").Value);
        Assert.Equal(NodePaths.FelixDriver, node.Env("FELIX_DATAPLANEDRIVER").Value);
        Assert.Equal("none", config.Data[node.Env("CALICO_NETWORKING_BACKEND").ValueFrom.ConfigMapKeyRef.Key]);
        Assert.Equal("Never", node.Env("CALICO_IPV4POOL_IPIP").Value);
        Assert.Equal("10-calico.conflist", pod.InitContainer("install-cni").Env("CNI_CONF_NAME").Value);
        // The proxy's file and the agent's socket directory are the host paths the agent's DaemonSet uses.
        Assert.Equal("/var/lib/calico", pod.MountAt(node, "/var/lib/calico").Volume.HostPath.Path);
        Assert.Equal("/var/run/calico", pod.MountAt(node, "/var/run/calico").Volume.HostPath.Path);
        // Without BIRD only Felix can answer the probes.
        Assert.DoesNotContain(node.LivenessProbe.Exec.Command.Concat(node.ReadinessProbe.Exec.Command), a => a.Contains("bird", StringComparison.Ordinal));
    }

    [Fact]
    public void CalicoImages_AreTheVersionTheMakefileFetchesTheCrdsOf()
    {
        var manifests = ManifestSet.Parse(File.ReadAllText(s_calicoFile), s_calicoFile);
        var version = CalicoVersion().Match(File.ReadAllText(Path.Combine(RepoPaths.Root, "Makefile"))).Groups[1].Value;

        var images = manifests.All<V1DaemonSet>().Select(d => d.Spec.Template.Spec)
            .Concat(manifests.All<V1Deployment>().Select(d => d.Spec.Template.Spec))
            .SelectMany(p => p.AllContainers()).Select(c => c.Image).ToList();

        Assert.Equal(3, images.Distinct().Count());
        Assert.All(images, image => Assert.Matches(@"^quay\.io/calico/(cni|node|kube-controllers):" + Regex.Escape(version) + "$", image));
    }

    [Fact]
    public void CalicoAccounts_AreBoundToTheirRoles()
    {
        var manifests = ManifestSet.Parse(File.ReadAllText(s_calicoFile), s_calicoFile);

        foreach (var name in new[] { "calico-node", "calico-cni-plugin", "calico-kube-controllers" })
        {
            var binding = manifests.Single<V1ClusterRoleBinding>(name);
            Assert.Equal(name, binding.RoleRef.Name);
            Assert.Equal(name, manifests.Single<V1ClusterRole>(name).Metadata.Name);
            Assert.Equal((name, "kube-system"), (Assert.Single(binding.Subjects).Name, Assert.Single(binding.Subjects).NamespaceProperty));
            Assert.Equal("kube-system", manifests.Single<V1ServiceAccount>(name).Metadata.NamespaceProperty);
        }
    }

    [Fact]
    public async Task FelixConfiguration_TurnsOffTheInternalDataplaneForTheProxy()
    {
        var felix = (await ManifestSet.LoadFileAsync(Path.Combine(RenderedDeploy.DeployDirectory, "felix-configuration.yaml"))).Single<FelixConfiguration>("default");

        Assert.False(felix.Spec.UseInternalDataplaneDriver);
        Assert.Equal(NodePaths.FelixDriver, felix.Spec.DataplaneDriver);
        Assert.False(felix.Spec.VxlanEnabled);
    }

    [GeneratedRegex(@"(?m)^CALICO_VERSION\s*\?=\s*(\S+)$")]
    private static partial Regex CalicoVersion();
}
