using DaemonHost.Tls;
using Grpc.HealthCheck;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DaemonHost.Tests.Tls;

/// <summary>A real Kestrel gRPC server on 127.0.0.1 with grpc.health.v1, secured by UseDaemonTls.</summary>
internal sealed class HealthServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private HealthServer(WebApplication app, ReloadingTlsMaterial? material)
    {
        _app = app;
        Material = material;
    }

    public ReloadingTlsMaterial? Material { get; }

    public HealthServiceImpl Health => _app.Services.GetRequiredService<HealthServiceImpl>();

    // Kestrel always offers the addresses feature once started.
    public int Port => new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single()).Port;

    public static async Task<HealthServer> StartAsync(TlsSettings settings, TimeProvider? time = null, System.Net.IPAddress? address = null)
    {
        var material = settings.Mode == TlsMode.Insecure ? null : new ReloadingTlsMaterial(settings, time ?? TimeProvider.System, NullLogger.Instance);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddGrpc();
        builder.Services.AddSingleton<HealthServiceImpl>();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(address ?? System.Net.IPAddress.Loopback, 0, listen => listen.UseDaemonTls(material)));
        var app = builder.Build();
        app.MapGrpcService<HealthServiceImpl>();
        app.Services.GetRequiredService<HealthServiceImpl>().SetStatus(string.Empty, Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving);
        await app.StartAsync();
        return new HealthServer(app, material);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Material?.Dispose();
    }
}
