namespace PodCtl;

/// <summary>
/// What Calico's plugin knows of a pod when kubelet runs CNI ADD: its names, the netns the runtime made,
/// the address and gateway IPAM gave it (host-local with usePodCidr: <c>10.244.0.6/24</c>, gateway
/// <c>10.244.0.1</c>), and the node it runs on.
/// </summary>
public sealed record CniPod(string Name, string Namespace, string NetnsPath, string Address, string Gateway, string Node)
{
    public string InterfaceName { get; init; } = "eth0";

    public int Mtu { get; init; } = 1500;

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
}
