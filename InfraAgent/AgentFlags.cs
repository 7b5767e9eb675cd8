using DaemonHost.Configuration;

namespace InfraAgent;

internal static class AgentFlags
{
    public const string DefaultConfigFile = "/etc/infra/infraagent-config.yaml";

    // The Go agent's flag names, so DaemonSets written for it keep working.
    public static IReadOnlyList<DaemonFlag> All { get; } =
    [
        new("interfaceType", "interfaceType", "pod interface type (tap)"),
        new("interface", "interface", "node interface (discovered when empty)"),
        new("tapPrefix", "tapPrefix", "name prefix of the TAP ports"),
        new("tapAttach", "tapAttach", "how a pod gets its TAP: move (the TAP into the pod) or veth (a veth in the pod, tc to the TAP)"),
        new("hostIfaceMTU", "hostIfaceMTU", "MTU of the host interface, 576..9000"),
        new("managerAddr", "managerAddr", "manager IP address"),
        new("managerPort", "managerPort", "manager port"),
        new("insecure", "insecure", "plain gRPC to the manager (true/false)"),
        new("mtls", "mtls", "mutual TLS to the manager (true/false)"),
        new("clientCert", "clientCert", "agent client certificate (PEM)"),
        new("clientKey", "clientKey", "agent client key (PEM)"),
        new("caCert", "caCert", "CA of the manager's certificate (PEM)"),
        new("cniAddr", "cniAddr", "CNI gRPC endpoint Calico dials, host:port (127.0.0.1:50001)"),
        new("cacheDir", "cacheDir", "TAP allocation cache directory"),
        new("felixSocket", "felixSocket", "unix socket felix-api-proxy dials, Felix's policy updates (/var/run/calico/felix-dataplane.sock)"),
        new("healthAddr", "healthAddr", "readiness and metrics HTTP endpoint, loopback host:port (127.0.0.1:50096)"),
        new("logLevel", "LogLevel", "Trace, Debug, Info, Warn, Error or Fatal"),
        new("logFile", "LogFile", "log file, besides the console"),
        new("kubeconfig", "kubeconfig", "kubeconfig file (default: in-cluster, else $HOME/.kube/config)"),
        new("nodeName", "nodeName", "this node's name (default: NODE_NAME, else the host name)"),
        new("nodeIp", "nodeIp", "this node's IPv4 address (default: the Node's InternalIP)"),
        new("podCidr", "podCidr", "this node's pod CIDR (default: the Node's spec.podCIDR)"),
        new("clusterCidr", "clusterCidr", "the cluster's pod CIDR (default: kube-controller-manager --cluster-cidr)"),
    ];
}
