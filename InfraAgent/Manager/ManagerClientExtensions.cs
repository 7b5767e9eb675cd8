using DaemonHost.Tls;

namespace InfraAgent.Manager;

internal static class ManagerClientExtensions
{
    /// <summary>
    /// One long-lived channel to the manager (mTLS by default, certificates re-read when they change)
    /// and the infra.InfraAgent client over it, shared by the CNI server and the watchers; the Go agent
    /// dialled anew for every request.
    /// </summary>
    public static WebApplicationBuilder AddManagerClient(this WebApplicationBuilder builder, AgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        var tls = ManagerChannelFactory.TlsSettings(options);
        builder.Services.AddSingleton(sp => new ManagerChannel(
            tls.Mode == TlsMode.Insecure ? null : new ReloadingTlsMaterial(tls, TimeProvider.System, sp.GetRequiredService<ILogger<ManagerChannel>>()),
            options));
        builder.Services.AddSingleton(sp => new Proto.Infra.InfraAgent.InfraAgentClient(sp.GetRequiredService<ManagerChannel>().Channel));
        return builder;
    }
}
