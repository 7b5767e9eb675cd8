using DaemonHost.Configuration;

namespace ArpProxy;

internal static class ArpProxyFlags
{
    /// <summary>Read when present; the Go original had no file, only ARP_PROXY_IF.</summary>
    public const string DefaultConfigFile = "/etc/infra/arp-proxy.yaml";

    public static IReadOnlyList<DaemonFlag> All { get; } =
    [
        new("interface", ArpProxyOptions.InterfaceKey, "interface to answer ARP requests on (usually the environment variable)"),
        new("log-level", "LogLevel", "Trace, Debug, Info, Warn, Error or Fatal; Debug logs every reply"),
        new("log-file", "LogFile", "log file, besides the console"),
    ];
}
