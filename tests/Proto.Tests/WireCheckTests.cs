using TestSupport;
using Xunit;

namespace Proto.Tests;

/// <summary>
/// Our .proto files against the official descriptors: the shared WireCheck tool compares every
/// message, field, enum value and RPC, so a wrong number or package fails here.
/// </summary>
public sealed class WireCheckTests
{
    private static string OurDescriptorSet => Path.Combine(AppContext.BaseDirectory, "k8sinfraoffload.descriptorset.pb");

    [Theory]
    [InlineData("p4runtime", "p4.v1", "p4.config.v1", "google.rpc")]
    [InlineData("calico-and-infra", "cni", "felix", "infra")]
    [InlineData("gnmi", "gnmi", "gnmi_ext")]
    public async Task WireCheck_OurProtos_ZeroMismatches(string set, params string[] packages)
    {
        var expected = Path.Combine(RepoPaths.Shared, "wire", $"{set}.descriptorset.pb");
        var tool = Path.Combine(RepoPaths.Shared, "tools", "WireCheck.cs");
        Assert.True(File.Exists(expected), $"missing {expected}");
        Assert.True(File.Exists(OurDescriptorSet), $"missing {OurDescriptorSet}");

        var result = await ChildProcess.RunAsync(
            ChildProcess.DotnetHost,
            ["run", tool, "--", expected, OurDescriptorSet, .. packages],
            TimeSpan.FromMinutes(4));

        Assert.True(result.ExitCode == 0, result.AllOutput);
        Assert.Contains(": 0 mismatches", result.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("MISMATCH", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public void CalicoAdditions_RoundTripAsKnownFields()
    {
        // Calico's newer plugin sends these; they must parse as fields, not as unknown bytes.
        var request = new Cni.AddRequest { InterfaceName = "eth0" };
        request.DataplaneOptions.Add("type", "grpc");
        request.DataplaneOptions.Add("socket", "127.0.0.1:50001");
        request.Workload = new Cni.WorkloadIDs();
        request.Workload.Ports.Add(new Cni.Port { Name = "http", Protocol = "TCP", Port_ = 80, HostPort = 8080, HostIp = "0.0.0.0" });

        var parsed = Cni.AddRequest.Parser.ParseFrom(Google.Protobuf.MessageExtensions.ToByteArray(request));

        Assert.Equal("grpc", parsed.DataplaneOptions["type"]);
        Assert.Equal(8080u, parsed.Workload.Ports[0].HostPort);
        Assert.Equal("0.0.0.0", parsed.Workload.Ports[0].HostIp);
    }
}
