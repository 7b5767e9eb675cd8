using DaemonHost.Configuration;
using DaemonHost.Tls;
using SoftTarget.Api;
using SoftTarget.DataPlane;
using SoftTarget.Ports;
using SoftTarget.Runtime;

namespace SoftTarget;

internal static class SoftTargetExtensions
{
    public static WebApplicationBuilder AddSoftTarget(this WebApplicationBuilder builder, SoftTargetOptions options, DataPlaneOptions dataPlane)
    {
        var p4runtime = HostPort.Parse(options.Addr, "Addr");
        var gnmi = HostPort.Parse(options.GnmiAddr, "GnmiAddr");
        if (options.Ports is < 0 or > 1024)
        {
            throw new DaemonConfigurationException($"Ports: {options.Ports} is outside 0..1024");
        }

        var tls = new TlsSettings(TlsSettings.ParseMode(options.Conn, "Conn"), options.Cert, options.Key, options.CaCert)
            .Validate(isServer: true, ("Cert", "Key", "CaCert"));
        builder.Services.AddGrpc(grpc => grpc.MaxReceiveMessageSize = 64 * 1024 * 1024);
        builder.Services.AddSingleton(new P4Device(options.DeviceId, K8sDpProgram.Verify));
        builder.Services.AddSingleton<PortRegistry>();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(dataPlane);
        builder.Services.AddSingleton<K8sDpEngine>();
        builder.Services.AddSingleton<DataPlaneService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<DataPlaneService>());
        builder.Services.AddSingleton(sp => new ReloadingTlsMaterial(tls, TimeProvider.System, sp.GetRequiredService<ILogger<ReloadingTlsMaterial>>()));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            var material = tls.Mode == TlsMode.Insecure ? null : kestrel.ApplicationServices.GetRequiredService<ReloadingTlsMaterial>();
            kestrel.Listen(p4runtime.ListenAddress, p4runtime.Port, listen => listen.UseDaemonTls(material));
            kestrel.Listen(gnmi.ListenAddress, gnmi.Port, listen => listen.UseDaemonTls(material));
        });
        return builder;
    }

    public static WebApplication MapSoftTarget(this WebApplication app, SoftTargetOptions options)
    {
        app.MapGrpcService<P4RuntimeService>();
        app.MapGrpcService<GnmiService>();
        var ports = app.Services.GetRequiredService<PortRegistry>();
        for (var i = 0; i < options.Ports; i++)
        {
            ports.Add(options.TapPrefix + i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        var logger = app.Services.GetRequiredService<ILogger<P4Device>>();
        app.Lifetime.ApplicationStarted.Register(() => SoftTargetLog.Serving(logger, options.Addr, options.GnmiAddr, options.DeviceId, options.Conn));
        return app;
    }
}
