namespace InfraAgent.Cni;

/// <summary>Where the pod CIDRs come from: configuration here, the Kubernetes API once discovery is added.</summary>
internal interface IPodNetworkCidrSource
{
    Task<PodNetworkCidrs> GetAsync(CancellationToken cancellationToken);
}
