using DaemonHost;
using DaemonHost.Configuration;
using DaemonHost.Logging;
using SoftTarget;
using SoftTarget.DataPlane;
using SoftTarget.Debugging;

if (args is [DumpCommand.Name, ..])
{
    return await DumpCommand.RunAsync(args[1..]);
}

return await DaemonProgram.RunAsync("softtarget", args, SoftTargetFlags.DefaultConfigFile, SoftTargetFlags.All, async (configuration, cancellationToken) =>
{
    var options = configuration.BindValidated(new SoftTargetOptions(), static (c, o) => c.Bind(o));
    var builder = WebApplication.CreateSlimBuilder();
    builder.Configuration.AddConfiguration(configuration);
    builder.AddDaemonLogging(configuration.BindValidated(new LoggingOptions { LogFile = "/var/log/softtarget.log" }, static (c, o) => c.Bind(o), new LoggingOptionsValidator()));
    builder.AddSoftTarget(options, configuration.BindValidated(new DataPlaneOptions(), static (c, o) => c.Bind(o)));

    var app = builder.Build();
    app.MapSoftTarget(options);
    await app.RunAsync(cancellationToken);
});
