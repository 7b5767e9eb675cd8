using DaemonHost.Configuration;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Prometheus;

namespace InfraAgent.Readiness;

internal static class HealthEndpointExtensions
{
    /// <summary>
    /// Calico's readiness gate <c>http://127.0.0.1:50096/check</c> (reference-behaviour.md 6.10) and the
    /// Prometheus <c>/metrics</c>, plain HTTP/1.1 on loopback only (11.3 #17), on their own Kestrel port.
    /// </summary>
    public static WebApplicationBuilder AddHealthEndpoint(this WebApplicationBuilder builder, AgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        var address = HostPort.Parse(options.HealthAddr, "healthAddr");
        builder.Services.TryAddSingleton(Prometheus.Metrics.NewCustomRegistry());
        builder.Services.AddSingleton<HealthCheck>();
        builder.Services.AddSingleton<IStartupFilter>(new HealthStartupFilter(address.Port));
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(address.ListenAddress, address.Port, listen => listen.Protocols = HttpProtocols.Http1));
        return builder;
    }

    /// <summary>Answers /check and /metrics on connections to the health port, ahead of the gRPC routes.</summary>
    private sealed class HealthStartupFilter(int port) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            var logger = app.ApplicationServices.GetRequiredService<ILogger<HealthCheck>>();
            HealthLog.Listening(logger, port);
            app.MapWhen(context => context.Connection.LocalPort == port, health => health.Run(async context =>
            {
                switch (context.Request.Path.Value)
                {
                    case "/check":
                        var ok = await context.RequestServices.GetRequiredService<HealthCheck>().IsHealthyAsync(context.RequestAborted);
                        context.Response.StatusCode = ok ? StatusCodes.Status200OK : StatusCodes.Status500InternalServerError;
                        break;
                    case "/metrics":
                        context.Response.ContentType = PrometheusConstants.TextContentTypeWithVersionAndEncoding;
                        await context.RequestServices.GetRequiredService<CollectorRegistry>().CollectAndExportAsTextAsync(context.Response.Body, context.RequestAborted);
                        break;
                    default:
                        context.Response.StatusCode = StatusCodes.Status404NotFound;
                        break;
                }
            }));
            next(app);
        };
    }
}
