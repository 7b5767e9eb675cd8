using DaemonHost.Configuration;

namespace SoftTarget;

internal static class SoftTargetFlags
{
    public const string DefaultConfigFile = "/etc/infra/softtarget.yaml";

    public static IReadOnlyList<DaemonFlag> All { get; } =
    [
        new("addr", "Addr", "P4Runtime address"),
        new("gnmi-addr", "GnmiAddr", "gNMI address"),
        new("device-id", "DeviceId", "P4Runtime device id"),
        new("conn", "Conn", "insecure, tls or mtls"),
        new("cert", "Cert", "server certificate (PEM)"),
        new("key", "Key", "server key (PEM)"),
        new("ca-cert", "CaCert", "CA of client certificates (PEM)"),
        new("client-cert", "ClientCert", "client certificate for dump (PEM)"),
        new("client-key", "ClientKey", "client key for dump (PEM)"),
        new("ports", "Ports", "number of TAP ports to make at start"),
        new("tap-prefix", "TapPrefix", "TAP name prefix"),
        new("flow-idle-seconds", "FlowIdleSeconds", "idle time before a learned connection is removed"),
        new("offloads", "Offloads", "TAP checksum/TSO offloads (true/false)"),
        new("log-level", "LogLevel", "Trace, Debug, Info, Warn, Error or Fatal"),
        new("log-file", "LogFile", "log file, besides the console"),
    ];
}
