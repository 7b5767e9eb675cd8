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

    [Fact]
    public async Task MisspeltField_FailsTheParseNamingIt()
    {
        Edit("infraagent-daemonset.yaml", "      hostNetwork: true", "      hostNetwrok: true");

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => RenderedDeploy.RenderAsync(_copy));

        Assert.Contains("hostNetwrok", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownApiVersion_FailsTheParse()
    {
        Edit("inframanager-daemonset.yaml", "apiVersion: apps/v1", "apiVersion: apps/v2");

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => RenderedDeploy.RenderAsync(_copy));

        Assert.Contains("apps/v2/DaemonSet", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BrokenYaml_FailsTheRender()
    {
        Edit("infraagent-cluster-role.yaml", "  verbs: [\"list\"]", "  verbs: [\"list\"");

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => RenderedDeploy.RenderAsync(_copy));

        Assert.Contains("kustomize", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingResource_FailsTheRender()
    {
        File.Delete(Path.Combine(_copy, "inframanager-service-account.yaml"));

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => RenderedDeploy.RenderAsync(_copy));

        Assert.Contains("inframanager-service-account.yaml", e.Message, StringComparison.Ordinal);
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
