using System.Diagnostics.CodeAnalysis;
using k8s;
using k8s.KubeConfigModels;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace InfraAgent.Kubernetes;

internal static class KubernetesClientExtensions
{
    private const DynamicallyAccessedMemberTypes KubeconfigModelMembers =
        DynamicallyAccessedMemberTypes.PublicParameterlessConstructor | DynamicallyAccessedMemberTypes.PublicProperties;

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
            KubernetesJsonContext.Register();
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
            return (FromKubeconfig(options.Kubeconfig), options.Kubeconfig);
        }

        if (KubernetesClientConfiguration.IsInCluster())
        {
            return (KubernetesClientConfiguration.InClusterConfig(), "in-cluster");
        }

        var fallback = KubernetesClientConfiguration.KubeConfigDefaultLocation;
        return File.Exists(fallback) ? (FromKubeconfig(fallback), fallback) : null;
    }

    /// <summary>
    /// A kubeconfig file read with YamlDotNet's plain deserializer: KubernetesClient's own YAML reader
    /// orders properties by metadata token, which a Native AOT executable does not keep. Relative
    /// certificate paths are taken from the file's directory, as kubectl does. The collections the
    /// model's lists and maps are read into, and the model's own types, are made and filled by
    /// reflection, so they are kept here by name.
    /// </summary>
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "The kubeconfig model's lists and maps hold reference types only, which a Native AOT executable instantiates from shared code.")]
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "The kubeconfig model's types keep their properties and constructors through the DynamicDependency attributes.")]
    [DynamicDependency(KubeconfigModelMembers, typeof(K8SConfiguration))]
    [DynamicDependency(KubeconfigModelMembers, typeof(Cluster))]
    [DynamicDependency(KubeconfigModelMembers, typeof(ClusterEndpoint))]
    [DynamicDependency(KubeconfigModelMembers, typeof(Context))]
    [DynamicDependency(KubeconfigModelMembers, typeof(ContextDetails))]
    [DynamicDependency(KubeconfigModelMembers, typeof(User))]
    [DynamicDependency(KubeconfigModelMembers, typeof(UserCredentials))]
    [DynamicDependency(KubeconfigModelMembers, typeof(AuthProvider))]
    [DynamicDependency(KubeconfigModelMembers, typeof(ExternalExecution))]
    [DynamicDependency(KubeconfigModelMembers, typeof(NamedExtension))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor, typeof(List<Cluster>))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor, typeof(List<Context>))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor, typeof(List<User>))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor, typeof(List<NamedExtension>))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor, typeof(List<string>))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor, typeof(List<Dictionary<string, string>>))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor, typeof(Dictionary<string, string>))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor, typeof(Dictionary<string, object>))]
    private static KubernetesClientConfiguration FromKubeconfig(string path)
    {
        var deserializer = new YamlDotNet.Serialization.DeserializerBuilder().IgnoreUnmatchedProperties().Build();
        var kubeconfig = deserializer.Deserialize<K8SConfiguration>(File.ReadAllText(path));
        kubeconfig.FileName = Path.GetFullPath(path);
        return KubernetesClientConfiguration.BuildConfigFromConfigObject(kubeconfig);
    }
}
