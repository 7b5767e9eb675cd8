using DaemonHost;
using DaemonHost.Configuration;
using DaemonHost.Logging;
using InfraManager;
using InfraManager.Api;

return await DaemonProgram.RunAsync("inframanager", args, ManagerFlags.DefaultConfigFile, ManagerFlags.All, async (configuration, cancellationToken) =>
{
    var builder = WebApplication.CreateSlimBuilder();
    builder.Configuration.AddConfiguration(configuration);
    builder.AddDaemonLogging(configuration.BindValidated(new LoggingOptions { LogFile = "/var/log/inframanager.log" }, new LoggingOptionsValidator()));
    builder.AddManagerApi();

    var app = builder.Build();
    app.MapManagerApi();
    await app.RunAsync(cancellationToken);
});
