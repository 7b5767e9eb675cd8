using InfraAgent.Cni;

namespace InfraAgent.Kubernetes;

/// <summary>
/// The pod ranges for the host interface's routes from the node's and the controller manager's
/// settings in the Kubernetes API (options override them). If the API does not answer within
/// <see cref="Wait"/>, the configured values (or none) are used, so CNI never waits on the API.
/// </summary>
internal sealed class KubernetesPodNetworkCidrSource : IPodNetworkCidrSource
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private readonly NodeNetworkClient _node;
    private readonly ConfiguredPodNetworkCidrSource _configured;
    private readonly ILogger _logger;

    public KubernetesPodNetworkCidrSource(NodeNetworkClient node, AgentOptions options, ILogger<KubernetesPodNetworkCidrSource> logger)
    {
        _node = node;
        _configured = new ConfiguredPodNetworkCidrSource(options);
        _logger = logger;
    }

    public async Task<PodNetworkCidrs> GetAsync(CancellationToken cancellationToken)
    {
        try
        {
            var network = await _node.GetAsync(cancellationToken).WaitAsync(Wait, cancellationToken);
            return new PodNetworkCidrs(network.ClusterCidr, network.PodCidr);
        }
        catch (Exception e) when (e is TimeoutException or k8s.Autorest.HttpOperationException or HttpRequestException)
        {
            KubernetesLog.NodeNetworkUnavailable(_logger, e.Message);
            return await _configured.GetAsync(cancellationToken);
        }
    }
}
