using InfraAgent.Cni.PodInterfaces;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace InfraAgent.Cni;

internal static class CniBackendExtensions
{
    /// <summary>
    /// The CNI backend behind cni.CniDataplane (mapped on the CNI endpoint, <see cref="CniEndpointExtensions"/>): the
    /// TAP pool and cache, and the pod CIDRs from configuration unless another source was registered.
    /// </summary>
    public static WebApplicationBuilder AddCniBackend(this WebApplicationBuilder builder, AgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        builder.Services.TryAddSingleton(options);
        builder.Services.TryAddSingleton(Prometheus.Metrics.NewCustomRegistry());
        builder.Services.TryAddSingleton<IPodNetworkCidrSource, ConfiguredPodNetworkCidrSource>();
        builder.Services.AddSingleton<TapPodInterface>();
        builder.Services.AddSingleton<ManagerNetworkClient>();
        builder.Services.AddSingleton<CniMetrics>();
        builder.Services.AddSingleton<CniPodNetwork>();
        builder.Services.AddHostedService<CniInitializationService>();
        return builder;
    }
}
