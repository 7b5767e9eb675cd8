using DaemonHost.Configuration;
using DaemonHost.Tls;
using Grpc.Health.V1;
using Grpc.HealthCheck;

namespace InfraAgent.Cni;

internal static class CniEndpointExtensions
{
    /// <summary>The endpoint Calico's CNI plugin dials: plain HTTP/2 gRPC on loopback, with grpc.health.v1.</summary>
    public static WebApplicationBuilder AddCniEndpoint(this WebApplicationBuilder builder, AgentOptions options)
    {
        var address = HostPort.Parse(options.CniAddr, "cniAddr");
        builder.Services.AddGrpc();
        builder.Services.AddSingleton<HealthServiceImpl>();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(address.ListenAddress, address.Port, listen => listen.UseDaemonTls(material: null)));
        return builder;
    }

    public static WebApplication MapCniEndpoint(this WebApplication app)
    {
        app.MapGrpcService<HealthServiceImpl>();
        app.MapGrpcService<CniDataplaneService>();
        app.Services.GetRequiredService<HealthServiceImpl>().SetStatus(string.Empty, HealthCheckResponse.Types.ServingStatus.Serving);
        return app;
    }
}
