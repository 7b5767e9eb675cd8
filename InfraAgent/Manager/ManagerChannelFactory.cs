using DaemonHost.Tls;
using Grpc.Net.Client;

namespace InfraAgent.Manager;

/// <summary>The agent's channel to the manager, secured as --insecure / --mtls say (mTLS by default).</summary>
internal static class ManagerChannelFactory
{
    public static TlsSettings TlsSettings(AgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Insecure)
        {
            return DaemonHost.Tls.TlsSettings.Insecure;
        }

        return new TlsSettings(options.Mtls ? TlsMode.Mtls : TlsMode.Tls, options.ClientCert, options.ClientKey, options.CaCert)
            .Validate(isServer: false, ("clientCert", "clientKey", "caCert"));
    }

    public static GrpcChannel Create(AgentOptions options, ReloadingTlsMaterial? material) =>
        GrpcChannels.Create(
            new DaemonHost.Configuration.HostPort(options.ManagerAddr, options.ManagerPort).ToString(),
            material,
            new GrpcChannelOptions
            {
                // The manager is on the same node: after it restarts, a CNI Add (5 s budget at Calico) must not
                // wait out gRPC's default reconnect back-off, which grows towards two minutes.
                InitialReconnectBackoff = TimeSpan.FromMilliseconds(100),
                MaxReconnectBackoff = TimeSpan.FromSeconds(1),
            });
}
