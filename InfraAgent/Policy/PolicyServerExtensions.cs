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
        builder.Services.AddHostedService<PolicyServer>();
        return builder;
    }
}
