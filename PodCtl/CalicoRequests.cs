using System.Security.Cryptography;
using System.Text;
using Proto.Cni;

namespace PodCtl;

/// <summary>
/// The requests Calico's CNI plugin sends to a gRPC dataplane (cni-plugin pkg/dataplane/grpc,
/// reference-behaviour.md 3.2): the fields it fills and the way it names things, so the agent sees
/// here exactly what it sees from Calico on a real node.
/// </summary>
public static class CalicoRequests
{
    public static AddRequest Add(CniPod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var request = new AddRequest
        {
            InterfaceName = pod.InterfaceName,
            Netns = pod.NetnsPath,
            DesiredHostInterfaceName = VethName(pod.Namespace, pod.Name),
            Settings = new ContainerSettings { AllowIpForwarding = false, Mtu = pod.Mtu },
            ContainerIps = { new IPConfig { Address = pod.Address, Gateway = pod.Gateway } },
            // Calico's default route for an IPv4 pool.
            ContainerRoutes = { "0.0.0.0/0" },
            Workload = new WorkloadIDs
            {
                Name = WorkloadEndpointName(pod.Node, pod.Name, pod.InterfaceName),
                Namespace = pod.Namespace,
                Endpoint = pod.InterfaceName,
                Node = pod.Node,
                Orchestrator = "k8s",
                Pod = pod.Name,
            },
        };
        foreach (var (key, value) in pod.Labels)
        {
            request.Workload.Labels[key] = value;
        }

        // The labels Calico adds to every workload endpoint.
        request.Workload.Labels["projectcalico.org/namespace"] = pod.Namespace;
        request.Workload.Labels["projectcalico.org/orchestrator"] = "k8s";
        request.Workload.Labels["projectcalico.org/serviceaccount"] = "default";
        return request;
    }

    public static DelRequest Del(string netnsPath, string interfaceName = "eth0") => new() { InterfaceName = interfaceName, Netns = netnsPath };

    /// <summary>Calico's VethNameForWorkload: "cali" and the first 11 hex digits of SHA-1("namespace.pod").</summary>
    public static string VethName(string podNamespace, string podName)
    {
        // A name, not security: Calico's names are SHA-1's, and the agent may see either.
#pragma warning disable CA5350
        var hash = SHA1.HashData(Encoding.UTF8.GetBytes(podNamespace + "." + podName));
#pragma warning restore CA5350
        return "cali" + Convert.ToHexStringLower(hash)[..11];
    }

    /// <summary>Calico's WorkloadEndpoint name: node, orchestrator, pod and endpoint with each "-" doubled, joined by "-".</summary>
    public static string WorkloadEndpointName(string node, string pod, string endpoint) =>
        string.Join('-', new[] { node, "k8s", pod, endpoint }.Select(part => part.Replace("-", "--", StringComparison.Ordinal)));
}
