using Microsoft.Extensions.DependencyInjection.Extensions;

namespace InfraAgent.Policy;

internal static class PolicyServerExtensions
{
    /// <summary>The Felix socket felix-api-proxy dials, relaying Felix's policy updates to the manager over the agent's one channel.</summary>
    public static WebApplicationBuilder AddPolicyServer(this WebApplicationBuilder builder, AgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        builder.Services.TryAddSingleton(options);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton(Prometheus.Metrics.NewCustomRegistry());
        builder.Services.AddSingleton<PolicyMetrics>();
        builder.Services.AddSingleton<FelixRelayClient>();
        // Beside the TAP allocation cache (in a directory of its own: the cache reads every file of its directory).
        builder.Services.AddSingleton(new FelixItems(Path.Combine(options.CacheDir, "felix", "items")));
        builder.Services.AddHostedService<PolicyServer>();
        return builder;
    }
}
