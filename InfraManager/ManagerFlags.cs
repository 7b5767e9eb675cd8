using DaemonHost.Configuration;

namespace InfraManager;

internal static class ManagerFlags
{
    public const string DefaultConfigFile = "/etc/infra/inframanager-config.yaml";

    public static IReadOnlyList<DaemonFlag> All { get; } =
    [
        new("addr", "InfraManager:addr", "address the agent connects to"),
        new("conn", "InfraManager:conn", "agent link security: insecure, tls or mtls"),
        new("server-cert", "InfraManager:serverCert", "server certificate (PEM)"),
        new("server-key", "InfraManager:serverKey", "server private key (PEM)"),
        new("ca-cert", "InfraManager:caCert", "CA that signs agent certificates (PEM)"),
        new("log-level", "LogLevel", "Trace, Debug, Info, Warn, Error or Fatal"),
        new("log-file", "LogFile", "log file, besides the console"),
    ];
}
