using Deploy.Tests.Manifests;
using k8s.Models;
using Xunit;

namespace Deploy.Tests;

/// <summary>A copy of deploy/ broken on purpose: the render or the parse says what is wrong, and the checks notice.</summary>
public sealed class BrokenManifestTests : IDisposable
{
    private readonly string _copy = Directory.CreateTempSubdirectory("deploy-broken-").FullName;

    public BrokenManifestTests()
    {
        foreach (var file in Directory.EnumerateFiles(RenderedDeploy.DeployDirectory, "*.yaml"))
        {
            File.Copy(file, Path.Combine(_copy, Path.GetFileName(file)));
        }
    }

    public void Dispose() => Directory.Delete(_copy, recursive: true);

    [Fact]
    public async Task Copy_RendersLikeTheOriginal()
    {
        var manifests = await RenderedDeploy.RenderAsync(_copy);

        Assert.Equal(8, manifests.Objects.Count);
    }

    [Theory]
    // A misspelt field: kustomize passes it on, the typed parse names it.
    [InlineData("infraagent-daemonset.yaml", "      hostNetwork: true", "      hostNetwrok: true", "hostNetwrok")]
    // An API version Kubernetes does not serve for the kind.
    [InlineData("inframanager-daemonset.yaml", "apiVersion: apps/v1", "apiVersion: apps/v2", "apps/v2/DaemonSet")]
    // YAML that does not parse: kustomize itself refuses it.
    [InlineData("infraagent-cluster-role.yaml", "  verbs: [\"list\"]", "  verbs: [\"list\"", "kustomize")]
    // A resource the kustomization names but that is gone.
    [InlineData("kustomization.yaml", "- inframanager-service-account.yaml", "- inframanager-serviceaccount.yaml", "inframanager-serviceaccount.yaml")]
    public async Task Breakage_FailsTheRenderOrTheParseSayingWhat(string file, string from, string to, string expected)
    {
        Edit(file, from, to);

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => RenderedDeploy.RenderAsync(_copy));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExtraVerb_IsNotWhatTheAgentCalls()
    {
        Edit("infraagent-cluster-role.yaml", "  resources: [\"nodes\", \"pods\"]\n  verbs: [\"list\"]", "  resources: [\"nodes\", \"pods\"]\n  verbs: [\"list\", \"get\"]");

        var role = (await RenderedDeploy.RenderAsync(_copy)).Single<V1ClusterRole>("infraagent-cluster-role");

        Assert.NotEqual(RbacTests.AgentCalls.ToHashSet(), RbacTests.Granted(role).ToHashSet());
        Assert.Contains(new ApiAccess(string.Empty, "pods", "get"), RbacTests.Granted(role));
    }

    private void Edit(string file, string from, string to)
    {
        var path = Path.Combine(_copy, file);
        var text = File.ReadAllText(path);
        Assert.Contains(from, text, StringComparison.Ordinal);
        File.WriteAllText(path, text.Replace(from, to, StringComparison.Ordinal));
    }
}
