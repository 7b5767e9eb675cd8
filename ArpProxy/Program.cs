using ArpProxy;
using DaemonHost;
using DaemonHost.Configuration;
using DaemonHost.Logging;
using Microsoft.Extensions.Configuration;

return await DaemonProgram.RunAsync("arp-proxy", args, ArpProxyFlags.DefaultConfigFile, ArpProxyFlags.All, async (configuration, cancellationToken) =>
{
    var options = configuration.BindValidated(new ArpProxyOptions(), static (c, o) => c.Bind(o), new ArpProxyOptionsValidator());
    var builder = Host.CreateApplicationBuilder();
    builder.Configuration.AddConfiguration(configuration);
    builder.AddDaemonLogging(configuration.BindValidated(new LoggingOptions { LogFile = "/var/log/arp-proxy.log" }, static (c, o) => c.Bind(o), new LoggingOptionsValidator()));
    builder.AddArpProxy(options);

    var host = builder.Build();
    await host.RunArpProxyAsync(cancellationToken);
});
