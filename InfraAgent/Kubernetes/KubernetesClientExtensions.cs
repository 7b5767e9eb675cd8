using k8s;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace InfraAgent.Kubernetes;

internal static class KubernetesClientExtensions
{
    /// <summary>
    /// One KubernetesClient for the agent: the kubeconfig option when set, else the in-cluster service
    /// account, else $HOME/.kube/config (where the Go agent's DaemonSet mounts it); and the node's addressing.
    /// </summary>
    public static WebApplicationBuilder AddKubernetesClient(this WebApplicationBuilder builder, AgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        builder.Services.TryAddSingleton<IKubernetes>(sp =>
        {
            // Callers register this only when Configuration found one.
            var (configuration, source) = Configuration(options) ?? throw new InvalidOperationException("no Kubernetes API configuration");
            KubernetesLog.ApiServer(sp.GetRequiredService<ILoggerFactory>().CreateLogger("InfraAgent.Kubernetes"), configuration.Host, source);
            return new k8s.Kubernetes(configuration);
        });
        builder.Services.TryAddSingleton(options);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<NodeNetworkClient>();
        return builder;
    }

    /// <summary>Null when there is none: no kubeconfig option, not in a pod, no $HOME/.kube/config.</summary>
    public static (KubernetesClientConfiguration Configuration, string Source)? Configuration(AgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!string.IsNullOrEmpty(options.Kubeconfig))
        {
            return (KubernetesClientConfiguration.BuildConfigFromConfigFile(options.Kubeconfig), options.Kubeconfig);
        }

        if (KubernetesClientConfiguration.IsInCluster())
        {
            return (KubernetesClientConfiguration.InClusterConfig(), "in-cluster");
        }

        var fallback = KubernetesClientConfiguration.KubeConfigDefaultLocation;
        return File.Exists(fallback) ? (KubernetesClientConfiguration.BuildConfigFromConfigFile(fallback), fallback) : null;
    }
}
