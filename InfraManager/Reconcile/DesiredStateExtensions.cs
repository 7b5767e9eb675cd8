using DaemonHost;
using InfraManager.Monitoring;
using InfraManager.P4;
using InfraManager.State;
using InfraManager.Store;

namespace InfraManager.Reconcile;

internal static class DesiredStateExtensions
{
    /// <summary>
    /// The durable store (StoreDir), the metrics and the state controller, which reconciles the target
    /// with the store before the API opens. Call after AddP4Runtime: the controller starts once the
    /// session is primary.
    /// </summary>
    public static WebApplicationBuilder AddDesiredState(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = StateOptions.Load(builder.Configuration);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<ManagerMetrics>();
        builder.Services.AddSingleton(sp =>
        {
            try
            {
                return StateStore.Open(options.StoreDir, sp.GetRequiredService<ILogger<StateStore>>());
            }
            catch (StoreException e)
            {
                throw new DaemonStartException($"StoreDir: {e.Message}", e);
            }
        });
        builder.Services.AddSingleton(sp => new StateController(
            sp.GetRequiredService<P4RuntimeSession>(),
            sp.GetRequiredService<StateStore>(),
            sp.GetRequiredService<PortLookup>(),
            sp.GetRequiredService<ManagerMetrics>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<StateController>>()));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<StateController>());
        return builder;
    }
}
