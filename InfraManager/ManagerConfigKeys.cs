using DaemonHost.Configuration;

namespace InfraManager;

/// <summary>
/// The Go manager's configuration keys of every release, so a node's existing config file keeps
/// working: v23.01's GrpcServer/GnmiServer, v23.07's hyphenated TLS keys, and main's camelCase ones
/// (the keys the options bind). An older spelling counts only where the current one is not set.
/// </summary>
internal static class ManagerConfigKeys
{
    private static readonly (string Old, string Current)[] Renamed =
    [
        ("GrpcServer:addr", "Infrap4dGrpcServer:addr"),
        ("GnmiServer:addr", "Infrap4dGnmiServer:addr"),
        ("Infrap4dGrpcServer:ca-cert", "Infrap4dGrpcServer:caCert"),
        ("Infrap4dGnmiServer:ca-cert", "Infrap4dGnmiServer:caCert"),
        ("Infrap4dGrpcServer:client-cert", "InfraManager:clientCert"),
        ("Infrap4dGrpcServer:client-key", "InfraManager:clientKey"),
        ("Infrap4dGrpcServer:clientCert", "InfraManager:clientCert"),
        ("Infrap4dGrpcServer:clientKey", "InfraManager:clientKey"),
        ("InfraManager:server-cert", "InfraManager:serverCert"),
        ("InfraManager:server-key", "InfraManager:serverKey"),
        ("InfraManager:ca-cert", "InfraManager:caCert"),
    ];

    /// <summary>Values of the current keys taken from their older spellings.</summary>
    public static Dictionary<string, string?> FromOlderReleases(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (old, current) in Renamed)
        {
            if (string.IsNullOrEmpty(configuration[current]) && !values.ContainsKey(current) && configuration[old] is { Length: > 0 } value)
            {
                values[current] = value;
            }
        }

        return values;
    }

    /// <summary>
    /// InterfaceType: the manager programs the DPDK k8s_dp pipeline, whose ports are TAPs; the ES2K
    /// types (cdq, sriov) need another pipeline. Services, Policy, DBTicker and arp-mac are accepted
    /// and have nothing to change here (services are always on, the store is written on every change).
    /// </summary>
    public static void Validate(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var type = configuration["InterfaceType"];
        if (!string.IsNullOrEmpty(type) && !string.Equals(type, "tap", StringComparison.OrdinalIgnoreCase))
        {
            throw new DaemonConfigurationException($"InterfaceType: '{type}' is not supported: this manager programs the DPDK k8s_dp pipeline, whose pod interfaces are TAPs (use tap)");
        }
    }
}
