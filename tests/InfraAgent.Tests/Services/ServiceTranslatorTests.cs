using InfraAgent.Services;
using k8s;
using k8s.Models;
using Packets;
using Xunit;

namespace InfraAgent.Tests.Services;

/// <summary>
/// Golden tests: testassets/services/&lt;case&gt;/input.yaml (a Service and its EndpointSlices, or its
/// Endpoints as older clusters have them) → expected.txt, translated on node-a (10.10.0.2).
/// </summary>
public sealed class ServiceTranslatorTests
{
    private static readonly IPv4Address s_nodeIp = IPv4Address.Parse("10.10.0.2");

    public static TheoryData<string> Cases() =>
        [.. Directory.GetDirectories(Path.Combine(AppContext.BaseDirectory, "testassets", "services")).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Translate_Case_MatchesGolden(string name)
    {
        var directory = Path.Combine(AppContext.BaseDirectory, "testassets", "services", name);
        var objects = KubernetesYaml.LoadAllFromString(File.ReadAllText(Path.Combine(directory, "input.yaml")));
        var service = objects.OfType<V1Service>().Single();
        var slices = objects.OfType<V1EndpointSlice>().Concat(objects.OfType<V1Endpoints>().SelectMany(EndpointsConversion.ToSlices));

        var (translations, skipped) = ServiceTranslator.Translate(service, slices, s_nodeIp, "node-a");

        var rendered = string.Concat(translations.Select(t => t + "\n").Concat(skipped.Select(s => "skipped: " + s + "\n")));
        Assert.Equal(File.ReadAllText(Path.Combine(directory, "expected.txt")), rendered);
    }

    [Fact]
    public void Translate_NodePortWithoutNodeIp_SkipsOnlyTheNodePort()
    {
        var service = new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "default" },
            Spec = new V1ServiceSpec { Type = "NodePort", ClusterIP = "10.96.1.1", Ports = [new V1ServicePort { Port = 80, Protocol = "TCP", NodePort = 30080 }] },
        };

        var (translations, skipped) = ServiceTranslator.Translate(service, [], nodeIp: null, nodeName: "node-a");

        Assert.Equal("10.96.1.1:80/TCP -> []", Assert.Single(translations).ToString());
        Assert.Contains("node IP is unknown", Assert.Single(skipped), StringComparison.Ordinal);
    }
}
