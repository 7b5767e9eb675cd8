using DaemonHost.Configuration;
using DaemonHost.Tls;
using Grpc.Health.V1;
using Grpc.HealthCheck;

namespace InfraManager.Api;

internal static class ManagerApiExtensions
{
    /// <summary>The agent-facing gRPC endpoint on InfraManager:addr in its TLS mode, with grpc.health.v1.</summary>
    public static WebApplicationBuilder AddManagerApi(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(ManagerApiOptions.Section);
        var options = section.BindValidated(new ManagerApiOptions());
        var address = HostPort.Parse(options.Addr, $"{ManagerApiOptions.Section}:addr");
        var tls = new TlsSettings(
                TlsSettings.ParseMode(options.Conn, $"{ManagerApiOptions.Section}:conn"),
                options.ServerCert,
                options.ServerKey,
                options.CaCert,
                TlsSettings.ParseCipherSuites(options.Ciphersuites, $"{ManagerApiOptions.Section}:ciphersuites"))
            .Validate(isServer: true, ($"{ManagerApiOptions.Section}:serverCert", $"{ManagerApiOptions.Section}:serverKey", $"{ManagerApiOptions.Section}:caCert"));

        builder.Services.AddGrpc();
        builder.Services.AddSingleton(new ManagerApiEndpoint(address, tls.Mode));
        builder.Services.AddSingleton<HealthServiceImpl>();
        builder.Services.AddSingleton(sp => new ReloadingTlsMaterial(tls, TimeProvider.System, sp.GetRequiredService<ILogger<ReloadingTlsMaterial>>()));
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            var material = tls.Mode == TlsMode.Insecure ? null : kestrel.ApplicationServices.GetRequiredService<ReloadingTlsMaterial>();
            kestrel.Listen(address.ListenAddress, address.Port, listen => listen.UseDaemonTls(material));
        });
        return builder;
    }

    public static WebApplication MapManagerApi(this WebApplication app)
    {
        app.MapGrpcService<HealthServiceImpl>();
        // Serving means the API is up; the infra.InfraAgent methods arrive with the manager's programming core.
        app.Services.GetRequiredService<HealthServiceImpl>().SetStatus(string.Empty, HealthCheckResponse.Types.ServingStatus.Serving);
        var endpoint = app.Services.GetRequiredService<ManagerApiEndpoint>();
        var logger = app.Services.GetRequiredService<ILogger<ManagerApiEndpoint>>();
        app.Lifetime.ApplicationStarted.Register(() => ManagerApiLog.Listening(logger, endpoint));
        return app;
    }
}
