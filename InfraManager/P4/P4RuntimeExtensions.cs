using Microsoft.Extensions.DependencyInjection.Extensions;

namespace InfraManager.P4;

internal static class P4RuntimeExtensions
{
    /// <summary>
    /// The P4Runtime session (a hosted service: the host starts only once the target is programmed)
    /// and the gNMI port lookup, from Infrap4dGrpcServer, Infrap4dGnmiServer, DeviceId, P4InfoPath
    /// and p4BinPath. A bad value stops the daemon at start with the key named.
    /// </summary>
    public static WebApplicationBuilder AddP4Runtime(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = P4RuntimeOptions.Load(builder.Configuration);
        var timeouts = P4SessionTimeouts.Default;
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(sp => new P4RuntimeSession(options, timeouts, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<P4RuntimeSession>>()));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<P4RuntimeSession>());
        builder.Services.AddSingleton(sp =>
        {
            var lookup = new PortLookup(options, timeouts.Rpc, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<PortLookup>>());
            // A target that lost its pipeline restarted, and may number its ports anew.
            sp.GetRequiredService<P4RuntimeSession>().Reconnected += (_, e) =>
            {
                if (e.PipelineReloaded)
                {
                    lookup.Invalidate();
                }
            };
            return lookup;
        });
        return builder;
    }
}
