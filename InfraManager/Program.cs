using DaemonHost;
using DaemonHost.Configuration;
using DaemonHost.Logging;
using InfraManager;
using InfraManager.Api;
using InfraManager.P4;
using InfraManager.Reconcile;

return await DaemonProgram.RunAsync("inframanager", args, ManagerFlags.DefaultConfigFile, ManagerFlags.All, async (configuration, cancellationToken) =>
{
    var builder = WebApplication.CreateSlimBuilder();
    builder.Configuration.AddConfiguration(configuration);
    builder.Configuration.AddInMemoryCollection(ManagerConfigKeys.FromOlderReleases(configuration));
    ManagerConfigKeys.Validate(configuration);
    builder.AddDaemonLogging(configuration.BindValidated(new LoggingOptions { LogFile = "/var/log/inframanager.log" }, static (c, o) => c.Bind(o), new LoggingOptionsValidator()));
    builder.AddManagerApi();
    builder.AddP4Runtime();
    builder.AddDesiredState();

    var app = builder.Build();
    app.MapManagerApi();
    await app.RunAsync(cancellationToken);
});
