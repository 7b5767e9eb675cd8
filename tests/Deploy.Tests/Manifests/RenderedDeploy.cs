using TestSupport;
using Xunit;

namespace Deploy.Tests.Manifests;

/// <summary>deploy/ rendered once with kubectl kustomize and parsed, for every test that reads it.</summary>
public sealed class RenderedDeploy : IAsyncLifetime
{
    public static string DeployDirectory => Path.Combine(RepoPaths.Root, "deploy");

    internal ManifestSet Manifests { get; private set; } = null!; // Set by InitializeAsync before any test runs.

    public async Task InitializeAsync() => Manifests = await RenderAsync(DeployDirectory);

    /// <summary>kubectl kustomize <paramref name="directory"/>, parsed; either step failing is an <see cref="InvalidDataException"/>.</summary>
    internal static async Task<ManifestSet> RenderAsync(string directory) =>
        ManifestSet.Parse(await Kubectl.KustomizeAsync(directory), $"kubectl kustomize {directory}");

    public Task DisposeAsync() => Task.CompletedTask;
}

/// <summary>The test classes that share one <see cref="RenderedDeploy"/>.</summary>
[CollectionDefinition(Name)]
public sealed class RenderedDeployTests : ICollectionFixture<RenderedDeploy>
{
    public const string Name = "rendered deploy/";
}
