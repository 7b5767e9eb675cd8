using DaemonHost;
using DaemonHost.Configuration;
using DaemonHost.Logging;
using InfraAgent;
using InfraAgent.Cni;
using InfraAgent.Readiness;
using InfraAgent.Manager;
using InfraAgent.Policy;
using InfraAgent.Services;

if (args is [CheckManagerCommand.Name, ..])
{
    return await CheckManagerCommand.RunAsync(args[1..]);
}

return await DaemonProgram.RunAsync("infraagent", args, AgentFlags.DefaultConfigFile, AgentFlags.All, async (configuration, cancellationToken) =>
{
    var options = configuration.BindValidated(new AgentOptions(), static (c, o) => c.Bind(o), new AgentOptionsValidator());
    var builder = WebApplication.CreateSlimBuilder();
    builder.Configuration.AddConfiguration(configuration);
    builder.AddDaemonLogging(configuration.BindValidated(new LoggingOptions { LogFile = "/var/log/infraagent/infraagent.log" }, static (c, o) => c.Bind(o), new LoggingOptionsValidator()));
    builder.AddManagerClient(options);
    builder.AddCniEndpoint(options);
    builder.AddCniBackend(options);
    builder.AddHealthEndpoint(options);
    builder.AddServices(options);
    builder.AddPolicyServer(options);

    var app = builder.Build();
    app.MapCniEndpoint();
    await app.RunAsync(cancellationToken);
});
