using System.Text.RegularExpressions;
using Deploy.Tests.Manifests;
using k8s.Models;
using TestSupport;
using Xunit;

namespace Deploy.Tests;

/// <summary>The agent's ClusterRole grants exactly what the agent calls; the manager gets no API access at all.</summary>
[Collection(RenderedDeployTests.Name)]
public sealed partial class RbacTests
{
    /// <summary>
    /// infraagent's Kubernetes API calls: the Node and kube-controller-manager lists of
    /// InfraAgent/Kubernetes/NodeNetworkClient.cs, the Service and EndpointSlice informers of
    /// InfraAgent/Services/ServicesController.cs (and its Endpoints informer for clusters before 1.21).
    /// </summary>
    internal static readonly ApiAccess[] AgentCalls =
    [
        new(string.Empty, "nodes", "list"),
        new(string.Empty, "pods", "list"),
        new(string.Empty, "services", "list"),
        new(string.Empty, "services", "watch"),
        new(string.Empty, "endpoints", "list"),
        new(string.Empty, "endpoints", "watch"),
        new("discovery.k8s.io", "endpointslices", "list"),
        new("discovery.k8s.io", "endpointslices", "watch"),
    ];

    private readonly ManifestSet _manifests;

    public RbacTests(RenderedDeploy deploy)
    {
        ArgumentNullException.ThrowIfNull(deploy);
        _manifests = deploy.Manifests;
    }

    [Fact]
    public void Render_HasExactlyTheDaemonsObjects()
    {
        var objects = _manifests.Objects
            .Select(o => $"{o.ApiVersion} {o.Kind} {o.Metadata.NamespaceProperty ?? "-"}/{Regex.Replace(o.Metadata.Name, "-config-[a-z0-9]{10}$", "-config-<hash>")}")
            .Order(StringComparer.Ordinal);

        Assert.Equal(
            [
                "apps/v1 DaemonSet kube-system/infraagent-ds",
                "apps/v1 DaemonSet kube-system/inframanager-ds",
                "rbac.authorization.k8s.io/v1 ClusterRole -/infraagent-cluster-role",
                "rbac.authorization.k8s.io/v1 ClusterRoleBinding -/infraagent-cluster-role-binding",
                "v1 ConfigMap kube-system/infraagent-config-<hash>",
                "v1 ConfigMap kube-system/inframanager-config-<hash>",
                "v1 ServiceAccount kube-system/infraagent-sa",
                "v1 ServiceAccount kube-system/inframanager-sa",
            ],
            objects);
    }

    [Fact]
    public void AgentClusterRole_GrantsExactlyTheAgentsCalls()
    {
        var role = _manifests.Single<V1ClusterRole>("infraagent-cluster-role");

        Assert.All(role.Rules, rule =>
        {
            Assert.Null(rule.ResourceNames);
            Assert.Null(rule.NonResourceURLs);
            Assert.DoesNotContain("*", rule.Verbs);
            Assert.DoesNotContain("*", rule.Resources ?? []);
            Assert.DoesNotContain("*", rule.ApiGroups ?? []);
        });
        Assert.Equal(AgentCalls.ToHashSet(), Granted(role).ToHashSet());
    }

    [Fact]
    public void AgentSource_CallsExactlyTheListedApis()
    {
        // When the agent starts calling something new, this fails until the list above and the ClusterRole follow.
        var calls = Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, "InfraAgent"), "*.cs", SearchOption.AllDirectories)
            .SelectMany(file => ApiCall().Matches(File.ReadAllText(file)))
            .Select(match => ApiAccess.FromClientMethod(match.Groups["api"].Value, match.Groups["method"].Value))
            .ToHashSet();

        Assert.Equal(AgentCalls.ToHashSet(), calls);
    }

    [Fact]
    public void AgentClusterRole_IsBoundToTheServiceAccountTheAgentRunsAs()
    {
        var binding = _manifests.Single<V1ClusterRoleBinding>("infraagent-cluster-role-binding");
        var account = _manifests.Single<V1ServiceAccount>("infraagent-sa");
        var pod = _manifests.Single<V1DaemonSet>("infraagent-ds").Spec.Template.Spec;

        Assert.Equal(("rbac.authorization.k8s.io", "ClusterRole", "infraagent-cluster-role"), (binding.RoleRef.ApiGroup, binding.RoleRef.Kind, binding.RoleRef.Name));
        var subject = Assert.Single(binding.Subjects);
        Assert.Equal(("ServiceAccount", "infraagent-sa", "kube-system"), (subject.Kind, subject.Name, subject.NamespaceProperty));
        Assert.Equal("kube-system", account.Metadata.NamespaceProperty);
        Assert.Equal("infraagent-sa", pod.ServiceAccountName);
        // In-cluster configuration reads the account's token from the pod.
        Assert.NotEqual(false, account.AutomountServiceAccountToken);
        Assert.NotEqual(false, pod.AutomountServiceAccountToken);
    }

    [Fact]
    public void Manager_HasNoKubernetesApiAccess()
    {
        var account = _manifests.Single<V1ServiceAccount>("inframanager-sa");
        var pod = _manifests.Single<V1DaemonSet>("inframanager-ds").Spec.Template.Spec;

        Assert.Equal("inframanager-sa", pod.ServiceAccountName);
        Assert.False(account.AutomountServiceAccountToken);
        Assert.False(pod.AutomountServiceAccountToken);
        var subjects = _manifests.All<V1ClusterRoleBinding>().SelectMany(b => b.Subjects ?? [])
            .Concat(_manifests.All<V1RoleBinding>().SelectMany(b => b.Subjects ?? []));
        Assert.DoesNotContain(subjects, s => s.Name == "inframanager-sa");
    }

    internal static IEnumerable<ApiAccess> Granted(V1ClusterRole role) =>
        from rule in role.Rules
        from apiGroup in rule.ApiGroups ?? []
        from resource in rule.Resources ?? []
        from verb in rule.Verbs
        select new ApiAccess(apiGroup, resource, verb);

    // client.CoreV1.ListNodeAsync(, client.DiscoveryV1.WatchListEndpointSliceForAllNamespacesAsync(, ...
    [GeneratedRegex(@"\.(?<api>CoreV1|DiscoveryV1|NetworkingV1|AppsV1|CoordinationV1)\.(?<method>\w+)Async\(")]
    private static partial Regex ApiCall();
}
