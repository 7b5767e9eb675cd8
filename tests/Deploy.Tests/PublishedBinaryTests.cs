using Deploy.Tests.Manifests;
using k8s.Models;
using TestSupport;
using Xunit;

namespace Deploy.Tests;

/// <summary>
/// The executables make publish writes (what the images carry) start and print their help, and read by
/// default the configuration file the DaemonSets mount.
/// </summary>
[Collection(RenderedDeployTests.Name)]
public sealed class PublishedBinaryTests
{
    private readonly ManifestSet _manifests;

    public PublishedBinaryTests(RenderedDeploy deploy)
    {
        ArgumentNullException.ThrowIfNull(deploy);
        _manifests = deploy.Manifests;
    }

    [Theory]
    [InlineData("inframanager", new string[0], "inframanager-ds", "manager", "inframanager-config")]
    [InlineData("infraagent", new string[0], "infraagent-ds", "agent", "infraagent-config")]
    [InlineData("infraagent", new[] { "checkManager" }, "infraagent-ds", "wait-for-manager", "infraagent-config")]
    public async Task Help_PrintsUsageWithTheConfigFileTheDaemonSetMounts(string daemon, string[] command, string daemonSet, string container, string configMap)
    {
        var pod = _manifests.Single<V1DaemonSet>(daemonSet).Spec.Template.Spec;
        var (mount, _) = pod.MountAt(pod.AllContainers().Single(c => c.Name == container), NodePaths.ConfigDirectory);
        var configFile = $"{mount.MountPath}/{Assert.Single(_manifests.GeneratedConfigMap(configMap).Data.Keys)}";

        var result = await ChildProcess.RunAsync(PublishedDaemon.PathOf(daemon), [.. command, "--help"], TimeSpan.FromSeconds(30));

        Assert.True(result.ExitCode == 0, result.AllOutput);
        Assert.StartsWith($"usage: {string.Join(' ', [daemon, .. command])} [--config FILE]", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains($"(default {configFile})", result.StandardOutput, StringComparison.Ordinal);
    }
}
