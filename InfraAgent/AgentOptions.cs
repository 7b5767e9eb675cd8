namespace InfraAgent;

/// <summary>
/// The agent's configuration keys and flags, as the Go agent's (reference-behaviour.md 6.1, main
/// branch): existing infraagent-config.yaml files keep working.
/// </summary>
internal sealed class AgentOptions
{
    public string InterfaceType { get; set; } = "tap";

    public string Interface { get; set; } = string.Empty;

    public string TapPrefix { get; set; } = "P4TAP_";

    /// <summary>
    /// How a pod is joined to its TAP: <c>move</c> (the TAP itself becomes the pod's interface, as the Go
    /// agent does) or <c>veth</c> (the TAP stays on the host, the pod gets a veth made inside its namespace
    /// with the TAP's MAC, and tc redirects frames between the two).
    /// </summary>
    public string TapAttach { get; set; } = TapAttachModes.Move;

    public int HostIfaceMTU { get; set; } = 1280;

    public string ManagerAddr { get; set; } = "127.0.0.1";

    public int ManagerPort { get; set; } = 50002;

    public bool Insecure { get; set; }

    public bool Mtls { get; set; } = true;

    public string ClientCert { get; set; } = "/etc/pki/infraagent/client/tls.crt";

    public string ClientKey { get; set; } = "/etc/pki/infraagent/client/tls.key";

    public string CaCert { get; set; } = "/etc/pki/infraagent/client/ca.crt";

    /// <summary>Where Calico's CNI plugin dials (dataplane_options socket); plain gRPC.</summary>
    public string CniAddr { get; set; } = "127.0.0.1:50001";

    /// <summary>kubeconfig file for the Kubernetes API; empty: in-cluster, else $HOME/.kube/config.</summary>
    public string Kubeconfig { get; set; } = string.Empty;

    /// <summary>This node's name; empty: NODE_NAME, else the host name.</summary>
    public string NodeName { get; set; } = string.Empty;

    /// <summary>This node's IPv4 address (NodePort services); empty: the Node object's InternalIP.</summary>
    public string NodeIp { get; set; } = string.Empty;

    /// <summary>This node's pod range; empty: the Node object's spec.podCIDR.</summary>
    public string PodCidr { get; set; } = string.Empty;

    /// <summary>The cluster's pod range; empty: kube-controller-manager's --cluster-cidr.</summary>
    public string ClusterCidr { get; set; } = string.Empty;

    /// <summary>Where the TAP allocation cache lives (the Go agent's /var/lib/cni/infraagent/tap).</summary>
    public string CacheDir { get; set; } = "/var/lib/cni/infraagent/tap";

    /// <summary>The unix socket felix-api-proxy joins Felix's external-dataplane pipes to (reference-behaviour.md 6.9).</summary>
    public string FelixSocket { get; set; } = "/var/run/calico/felix-dataplane.sock";

    /// <summary>The readiness endpoint (/check) and /metrics, plain HTTP; loopback only.</summary>
    public string HealthAddr { get; set; } = "127.0.0.1:50096";
}
