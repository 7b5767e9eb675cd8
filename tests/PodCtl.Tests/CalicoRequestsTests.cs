using PodCtl;
using Xunit;

namespace PodCtl.Tests;

public sealed class CalicoRequestsTests
{
    [Theory]
    [InlineData("default", "web-1", "cali0761ccbeace")]
    [InlineData("kube-system", "coredns-5d78c9869d-abcde", "cali4d5f75c480c")]
    public void VethName_NamespaceAndPod_IsCalicosHashName(string podNamespace, string pod, string expected) =>
        Assert.Equal(expected, CalicoRequests.VethName(podNamespace, pod));

    [Fact]
    public void WorkloadEndpointName_DashesDoubled() =>
        Assert.Equal("node--a-k8s-web--1-eth0", CalicoRequests.WorkloadEndpointName("node-a", "web-1", "eth0"));

    [Fact]
    public void Add_Pod_CarriesWhatCalicoSends()
    {
        var pod = new CniPod("web-1", "default", "/var/run/netns/web-1", "10.244.0.11/24", "10.244.0.1", "node-a")
        {
            Labels = new Dictionary<string, string> { ["app"] = "web" },
        };

        var request = CalicoRequests.Add(pod);

        Assert.Equal("eth0", request.InterfaceName);
        Assert.Equal("/var/run/netns/web-1", request.Netns);
        Assert.Equal("cali0761ccbeace", request.DesiredHostInterfaceName);
        Assert.Equal(1500, request.Settings.Mtu);
        var ip = Assert.Single(request.ContainerIps);
        Assert.Equal(("10.244.0.11/24", "10.244.0.1"), (ip.Address, ip.Gateway));
        Assert.Equal(["0.0.0.0/0"], request.ContainerRoutes);
        Assert.Equal(("node--a-k8s-web--1-eth0", "default", "web-1", "node-a", "k8s", "eth0"),
            (request.Workload.Name, request.Workload.Namespace, request.Workload.Pod, request.Workload.Node, request.Workload.Orchestrator, request.Workload.Endpoint));
        Assert.Equal("web", request.Workload.Labels["app"]);
        Assert.Equal("default", request.Workload.Labels["projectcalico.org/namespace"]);
    }

    [Fact]
    public void Del_NetnsAndInterface() =>
        Assert.Equal(("eth0", "/var/run/netns/web-1"), (CalicoRequests.Del("/var/run/netns/web-1").InterfaceName, CalicoRequests.Del("/var/run/netns/web-1").Netns));
}
