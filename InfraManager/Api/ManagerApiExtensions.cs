using DaemonHost.Configuration;
using DaemonHost.Tls;
using Grpc.Health.V1;
using Grpc.HealthCheck;
using InfraManager.Monitoring;
using Prometheus;

namespace InfraManager.Api;

internal static class ManagerApiExtensions
{
    /// <summary>The agent-facing gRPC endpoint on InfraManager:addr in its TLS mode, with grpc.health.v1.</summary>
    public static WebApplicationBuilder AddManagerApi(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(ManagerApiOptions.Section);
        var options = section.BindValidated(new ManagerApiOptions(), static (c, o) => c.Bind(o));
        var address = HostPort.Parse(options.Addr, $"{ManagerApiOptions.Section}:addr");
        var tls = new TlsSettings(
                TlsSettings.ParseMode(options.Conn, $"{ManagerApiOptions.Section}:conn"),
                options.ServerCert,
                options.ServerKey,
                options.CaCert,
                TlsSettings.ParseCipherSuites(options.Ciphersuites, $"{ManagerApiOptions.Section}:ciphersuites"))
            .Validate(isServer: true, ($"{ManagerApiOptions.Section}:serverCert", $"{ManagerApiOptions.Section}:serverKey", $"{ManagerApiOptions.Section}:caCert"));

        HostPort? metrics = string.IsNullOrWhiteSpace(options.MetricsAddr) ? null : HostPort.Parse(options.MetricsAddr, $"{ManagerApiOptions.Section}:metricsAddr");
        builder.Services.AddGrpc(grpc => grpc.Interceptors.Add<RequestInterceptor>());
        builder.Services.AddSingleton(new ManagerApiEndpoint(address, tls.Mode));
        builder.Services.AddSingleton<HealthServiceImpl>();
        builder.Services.AddSingleton(sp => new ReloadingTlsMaterial(tls, TimeProvider.System, sp.GetRequiredService<ILogger<ReloadingTlsMaterial>>()));
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            var material = tls.Mode == TlsMode.Insecure ? null : kestrel.ApplicationServices.GetRequiredService<ReloadingTlsMaterial>();
            kestrel.Listen(address.ListenAddress, address.Port, listen => listen.UseDaemonTls(material));
            if (metrics is { } metricsAddress)
            {
                kestrel.Listen(metricsAddress.ListenAddress, metricsAddress.Port, listen => listen.Protocols = Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http1);
            }
        });
        return builder;
    }

    public static WebApplication MapManagerApi(this WebApplication app)
    {
        app.MapGrpcService<HealthServiceImpl>();
        app.MapGrpcService<InfraAgentService>();
        // Only reached once the state controller reconciled the target with the store: serving means ready.
        app.Services.GetRequiredService<HealthServiceImpl>().SetStatus(string.Empty, HealthCheckResponse.Types.ServingStatus.Serving);
        var endpoint = app.Services.GetRequiredService<ManagerApiEndpoint>();
        var logger = app.Services.GetRequiredService<ILogger<ManagerApiEndpoint>>();
        app.MapMetrics("/metrics", app.Services.GetRequiredService<ManagerMetrics>().Registry);
        app.Lifetime.ApplicationStarted.Register(() => ApiLog.Listening(logger, endpoint));
        return app;
    }
}
