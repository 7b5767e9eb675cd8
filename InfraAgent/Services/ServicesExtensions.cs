using InfraAgent.Cni;
using InfraAgent.Kubernetes;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace InfraAgent.Services;

internal static class ServicesExtensions
{
    /// <summary>The Services/EndpointSlices watcher that programs the manager's service ports.</summary>
    public static WebApplicationBuilder AddServices(this WebApplicationBuilder builder, AgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        if (KubernetesClientExtensions.Configuration(options) is null)
        {
            // A node run without a Kubernetes API (make run without the stand-in): CNI works, services are not watched.
            Console.Error.WriteLine("infraagent: no Kubernetes API configured (kubeconfig option, in-cluster, $HOME/.kube/config); services are not watched");
            return builder;
        }

        builder.AddKubernetesClient(options);
        builder.Services.TryAddSingleton(Prometheus.Metrics.NewCustomRegistry());
        builder.Services.AddSingleton(sp => new ServicesMetrics(sp.GetRequiredService<Prometheus.CollectorRegistry>()));
        // The host interface's routes take the node's and the cluster's pod ranges from the API (options still win).
        builder.Services.Replace(ServiceDescriptor.Singleton<IPodNetworkCidrSource, KubernetesPodNetworkCidrSource>());
        builder.Services.AddSingleton(new ServicePortRecord(Path.Combine(options.CacheDir, "services", "ports")));
        builder.Services.AddHostedService<ServicesController>();
        return builder;
    }
}
