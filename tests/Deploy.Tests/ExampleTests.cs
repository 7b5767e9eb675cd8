using Deploy.Tests.Manifests;
using k8s.Models;
using Xunit;

namespace Deploy.Tests;

/// <summary>deploy/example: the test pod and the iperf3 TCP and UDP Services, whose selectors and ports meet their servers.</summary>
public sealed class ExampleTests
{
    private static string Example(string file) => Path.Combine(RenderedDeploy.DeployDirectory, "example", file);

    [Fact]
    public async Task TestPod_IsABusyboxThatSleeps()
    {
        var pod = (await ManifestSet.LoadFileAsync(Example("test_pod.yaml"))).Single<V1Pod>("test-pod");

        var container = Assert.Single(pod.Spec.Containers);
        Assert.Equal("quay.io/quay/busybox:latest", container.Image);
        Assert.Contains("sleep infinity", container.Command[^1], StringComparison.Ordinal);
        Assert.NotEqual(true, pod.Spec.HostNetwork);
    }

    [Theory]
    [InlineData("iperf3-tcp-service.yaml", "iperf3-tcp", "iperf3-tcp-server", "TCP")]
    [InlineData("iperf3-udp-service.yaml", "iperf3-udp", "iperf3-udp-server", "UDP")]
    public async Task Iperf3Service_SelectsItsServerOnAPortTheServerListensOn(string file, string service, string deployment, string protocol)
    {
        var manifests = await ManifestSet.LoadFileAsync(Example(file));
        var svc = manifests.Single<V1Service>(service);
        var server = manifests.Single<V1Deployment>(deployment).Spec.Template;

        Assert.Equal("ClusterIP", svc.Spec.Type);
        Assert.All(svc.Spec.Selector, label => Assert.Equal(label.Value, server.Metadata.Labels[label.Key]));
        var port = Assert.Single(svc.Spec.Ports, p => p.Protocol == protocol);
        var container = Assert.Single(server.Spec.Containers);
        Assert.Contains(container.Ports, p => p.Protocol == protocol && p.ContainerPort.ToString(System.Globalization.CultureInfo.InvariantCulture) == port.TargetPort.Value);
        Assert.Equal(["-s", "-p", port.TargetPort.Value], container.Args);
        // iperf3's control and data connections must reach the same server process.
        Assert.Equal(1, manifests.Single<V1Deployment>(deployment).Spec.Replicas);
    }

    [Fact]
    public async Task Iperf3Udp_AlsoCarriesTheTcpControlConnection()
    {
        var svc = (await ManifestSet.LoadFileAsync(Example("iperf3-udp-service.yaml"))).Single<V1Service>("iperf3-udp");

        Assert.Equal(["TCP", "UDP"], svc.Spec.Ports.Where(p => p.Port == 5201).Select(p => p.Protocol).Order(StringComparer.Ordinal));
    }
}
