using System.Text.RegularExpressions;
using k8s;
using Netlink;
using Packets;

namespace InfraAgent.Kubernetes;

/// <summary>Reads the node's <see cref="NodeNetwork"/> from the Kubernetes API once, options first.</summary>
internal sealed partial class NodeNetworkClient
{
    private readonly IKubernetes _client;
    private readonly AgentOptions _options;
    private readonly ILogger<NodeNetworkClient> _logger;
    private readonly Lazy<Task<NodeNetwork>> _network;

    public NodeNetworkClient(IKubernetes client, AgentOptions options, ILogger<NodeNetworkClient> logger)
    {
        _client = client;
        _options = options;
        _logger = logger;
        _network = new Lazy<Task<NodeNetwork>>(() => ReadAsync(CancellationToken.None));
    }

    /// <summary>The node name: the NodeName option, else NODE_NAME (the DaemonSet's downward API), else the host name.</summary>
    public string NodeName => _options.NodeName is { Length: > 0 } name ? name
        : Environment.GetEnvironmentVariable("NODE_NAME") is { Length: > 0 } env ? env
        : Environment.MachineName;

    /// <summary>Read once and shared; an API failure leaves the members it would have filled null (and is logged).</summary>
    public Task<NodeNetwork> GetAsync(CancellationToken cancellationToken) => _network.Value.WaitAsync(cancellationToken);

    private async Task<NodeNetwork> ReadAsync(CancellationToken cancellationToken)
    {
        var nodeName = NodeName;
        IPv4Address? nodeIp = string.IsNullOrEmpty(_options.NodeIp) ? null : IPv4Address.Parse(_options.NodeIp);
        IPv4Prefix? podCidr = string.IsNullOrEmpty(_options.PodCidr) ? null : IPv4Prefix.Parse(_options.PodCidr);
        IPv4Prefix? clusterCidr = string.IsNullOrEmpty(_options.ClusterCidr) ? null : IPv4Prefix.Parse(_options.ClusterCidr);
        IPv4Prefix? serviceCidr = null;

        if (nodeIp is null || podCidr is null)
        {
            try
            {
                var nodes = await _client.CoreV1.ListNodeAsync(fieldSelector: "metadata.name=" + nodeName, cancellationToken: cancellationToken);
                var node = nodes.Items.FirstOrDefault();
                var internalIp = node?.Status?.Addresses?.FirstOrDefault(a => a.Type == "InternalIP")?.Address;
                nodeIp ??= IPv4Address.TryParse(internalIp, out var ip) ? ip : null;
                podCidr ??= IPv4Prefix.TryParse(node?.Spec?.PodCIDR, out var prefix) ? prefix : null;
            }
            catch (Exception e) when (e is HttpRequestException or k8s.Autorest.HttpOperationException)
            {
                KubernetesLog.NodeNetworkMissing(_logger, nodeName, "Node object", e.Message, "nodeIp/podCidr");
            }
        }

        try
        {
            // The Go agent's GetSubnets: the flags of a kubeadm static kube-controller-manager pod.
            var pods = await _client.CoreV1.ListPodForAllNamespacesAsync(labelSelector: "component=kube-controller-manager", cancellationToken: cancellationToken);
            var command = pods.Items
                .Where(p => p.Metadata.Name.Contains("kube-controller-manager", StringComparison.Ordinal))
                .SelectMany(p => p.Spec.Containers)
                .FirstOrDefault(c => c.Name.Contains("kube-controller-manager", StringComparison.Ordinal))?.Command ?? [];
            foreach (var argument in command)
            {
                if (clusterCidr is null && ClusterCidrFlag().Match(argument) is { Success: true } cluster)
                {
                    clusterCidr = IPv4Prefix.Parse(cluster.Groups[1].Value);
                }

                if (ServiceRangeFlag().Match(argument) is { Success: true } services)
                {
                    serviceCidr = IPv4Prefix.Parse(services.Groups[1].Value);
                }
            }
        }
        catch (Exception e) when (e is HttpRequestException or k8s.Autorest.HttpOperationException)
        {
            KubernetesLog.NodeNetworkMissing(_logger, nodeName, "kube-controller-manager pod", e.Message, "clusterCidr");
        }

        if (nodeIp is null)
        {
            KubernetesLog.NodeNetworkMissing(_logger, nodeName, "InternalIP", "no Node object with an IPv4 InternalIP", "nodeIp");
        }

        if (podCidr is null)
        {
            KubernetesLog.NodeNetworkMissing(_logger, nodeName, "podCIDR", "no Node object with spec.podCIDR", "podCidr");
        }

        if (clusterCidr is null)
        {
            KubernetesLog.NodeNetworkMissing(_logger, nodeName, "cluster CIDR", "no kube-controller-manager pod with --cluster-cidr", "clusterCidr");
        }

        KubernetesLog.NodeNetworkRead(_logger, nodeName, nodeIp?.ToString() ?? "-", podCidr?.ToString() ?? "-", clusterCidr?.ToString() ?? "-", serviceCidr?.ToString() ?? "-");
        return new NodeNetwork(nodeName, nodeIp, podCidr, clusterCidr, serviceCidr);
    }

    [GeneratedRegex(@"^--cluster-cidr=(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}/\d{1,2})")]
    private static partial Regex ClusterCidrFlag();

    [GeneratedRegex(@"^--service-cluster-ip-range=(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}/\d{1,2})")]
    private static partial Regex ServiceRangeFlag();
}
