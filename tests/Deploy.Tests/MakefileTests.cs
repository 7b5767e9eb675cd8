using System.Text;
using Deploy.Tests.Manifests;
using k8s.Models;
using TestSupport;
using Xunit;

namespace Deploy.Tests;

/// <summary>The deployment targets: what make -n shows, and what the targets that need no cluster really do.</summary>
public sealed class MakefileTests : IDisposable
{
    private const string Registry = "registry.example:5000/k8s/";
    private const string Version = "v1.2.3";

    private readonly string _directory = Directory.CreateTempSubdirectory("deploy-make-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task DryRunDeploy_RendersWithTheImageOverridesAndApplies()
    {
        var lines = await DryRunAsync("deploy", $"IMAGE_REGISTRY={Registry}", $"IMAGE_VERSION={Version}");

        Assert.Contains($"{Kubectl.Program} kustomize deploy > out/deploy/base.yaml", lines);
        Assert.Contains(lines, l => l.Contains($"'  newName: {Registry}infraagent' '  newTag: \"{Version}\"'", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains($"'  newName: {Registry}inframanager' '  newTag: \"{Version}\"'", StringComparison.Ordinal));
        Assert.Contains($"{Kubectl.Program} kustomize out/deploy > out/deploy/infra.yaml", lines);
        Assert.Equal($"{Kubectl.Program} apply -f out/deploy/infra.yaml", lines[^1]);
    }

    [Fact]
    public async Task DryRunDockerBuild_TagsBothImagesFromTheRepositoryRoot()
    {
        var lines = await DryRunAsync("docker-build", $"IMAGE_REGISTRY={Registry}", $"IMAGE_VERSION={Version}", "HTTP_PROXY=http://proxy:3128");

        Assert.Equal(
            [
                $"docker build --build-arg HTTP_PROXY=http://proxy:3128  -f deploy/images/infraagent.Dockerfile -t {Registry}infraagent:{Version} .",
                $"docker build --build-arg HTTP_PROXY=http://proxy:3128  -f deploy/images/inframanager.Dockerfile -t {Registry}inframanager:{Version} .",
            ],
            lines);
        Assert.All(new[] { "infraagent.Dockerfile", "inframanager.Dockerfile" }, f => Assert.True(File.Exists(Path.Combine(RepoPaths.Root, "deploy", "images", f))));
    }

    [Fact]
    public async Task DryRunDockerPush_PushesTheTaggedImages()
    {
        var lines = await DryRunAsync("docker-push", $"IMAGE_REGISTRY={Registry}", $"IMAGE_VERSION={Version}");

        Assert.Equal([$"docker push {Registry}infraagent:{Version}", $"docker push {Registry}inframanager:{Version}"], lines);
    }

    [Fact]
    public async Task DryRunTlsSecrets_MakesTheThreeSecretsFromTheirFolders()
    {
        var lines = (await DryRunAsync("tls-secrets", "CERTS_DIR=/c")).Where(l => l.Contains("create secret", StringComparison.Ordinal)).ToList();

        Assert.Equal(3, lines.Count);
        foreach (var (secret, folder) in TlsSecrets)
        {
            Assert.Contains(
                $"{Kubectl.Program} -n kube-system create secret generic {secret} --from-file=/c/{folder}/tls.crt --from-file=/c/{folder}/tls.key --from-file=/c/{folder}/ca.crt --dry-run=client -o yaml | {Kubectl.Program} apply --server-side --force-conflicts -f -",
                lines);
        }
    }

    [Fact]
    public async Task DryRunCalico_AppliesTheCrdsOfItsVersionThenTheManifests()
    {
        var lines = await DryRunAsync("deploy-calico", "CALICO_VERSION=v9.9.9");

        Assert.Equal(
            [
                $"{Kubectl.Program} apply --server-side --force-conflicts -f https://raw.githubusercontent.com/projectcalico/calico/v9.9.9/manifests/crds.yaml",
                $"{Kubectl.Program} wait --for condition=established --timeout=60s crd/felixconfigurations.crd.projectcalico.org",
                $"{Kubectl.Program} apply -f deploy/calico-with-grpc.yaml",
                $"{Kubectl.Program} apply -f deploy/felix-configuration.yaml",
            ],
            lines);
    }

    [Fact]
    public async Task DeployManifests_RendersTheDaemonsWithTheOverriddenImages()
    {
        var result = await MakeAsync("-s", "deploy-manifests", $"IMAGE_REGISTRY={Registry}", $"IMAGE_VERSION={Version}", $"DEPLOY_OUT={_directory}");
        Assert.True(result.ExitCode == 0, result.AllOutput);

        var rendered = await ManifestSet.LoadFileAsync(Path.Combine(_directory, "infra.yaml"));
        var base_ = await RenderedDeploy.RenderAsync(RenderedDeploy.DeployDirectory);

        Assert.Equal(base_.Objects.Select(o => o.Metadata.Name), rendered.Objects.Select(o => o.Metadata.Name));
        var images = rendered.All<V1DaemonSet>().SelectMany(d => d.Spec.Template.Spec.InitContainers.Concat(d.Spec.Template.Spec.Containers)).Select(c => c.Image);
        Assert.Equal([$"{Registry}infraagent:{Version}", $"{Registry}inframanager:{Version}"], images.Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task TlsSecrets_WithoutCertificates_SaysToRunGenCertsAndCallsNoKubectl()
    {
        var result = await MakeAsync("tls-secrets", $"CERTS_DIR={_directory}", "KUBECTL=false");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains($"tls-secrets: {_directory}/inframanager/server/tls.crt is missing: run make gen-certs first", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TlsSecrets_AppliesEachSecretWithItsThreeFiles()
    {
        using var certificates = new TestCertificates();
        // kubectl renders the secrets for real (no cluster needed); what it would apply is kept instead.
        var applied = Path.Combine(_directory, "applied.yaml");
        var fake = Path.Combine(_directory, "kubectl");
        await File.WriteAllTextAsync(fake, $"#!/bin/sh\nif [ \"$1\" = apply ]; then {{ echo ---; cat; }} >> {applied}; else exec {Kubectl.Program} \"$@\"; fi\n");
        File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var result = await MakeAsync("tls-secrets", $"CERTS_DIR={certificates.Root}", $"KUBECTL={fake}");
        Assert.True(result.ExitCode == 0, result.AllOutput);

        var secrets = (await ManifestSet.LoadFileAsync(applied)).All<V1Secret>().ToList();
        Assert.Equal(TlsSecrets.Select(s => s.Secret).Order(StringComparer.Ordinal), secrets.Select(s => s.Metadata.Name).Order(StringComparer.Ordinal));
        foreach (var (name, folder) in TlsSecrets)
        {
            var secret = secrets.Single(s => s.Metadata.Name == name);
            Assert.Equal("kube-system", secret.Metadata.NamespaceProperty);
            Assert.Equal(["ca.crt", "tls.crt", "tls.key"], secret.Data.Keys.Order(StringComparer.Ordinal));
            Assert.All(secret.Data, d => Assert.Equal(File.ReadAllBytes(Path.Combine(certificates.Root, folder, d.Key)), d.Value));
        }
    }

    private static (string Secret, string Folder)[] TlsSecrets =>
        [("manager-server-secret", "inframanager/server"), ("manager-client-secret", "inframanager/client"), ("agent-client-secret", "infraagent/client")];

    /// <summary>The recipe lines make -n prints for <paramref name="target"/>, continuation lines joined.</summary>
    private static async Task<IReadOnlyList<string>> DryRunAsync(string target, params string[] variables)
    {
        var result = await MakeAsync(["-n", "-s", target, $"KUBECTL={Kubectl.Program}", .. variables]);
        Assert.True(result.ExitCode == 0, result.AllOutput);
        var lines = new List<string>();
        var current = new StringBuilder();
        foreach (var line in result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            current.Append(line.TrimEnd('\\').TrimEnd()).Append(line.EndsWith('\\') ? " " : string.Empty);
            if (!line.EndsWith('\\'))
            {
                lines.Add(current.ToString().Trim());
                current.Clear();
            }
        }

        return lines;
    }

    private static Task<ProcessResult> MakeAsync(params string[] arguments) =>
        ChildProcess.RunAsync("make", ["--no-print-directory", .. arguments], TimeSpan.FromMinutes(2));
}
