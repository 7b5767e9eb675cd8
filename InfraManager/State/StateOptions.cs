using DaemonHost.Configuration;
using Packets;

namespace InfraManager.State;

/// <summary>Where the desired state lives on disk, and the node's IP (NODE_IP, which the DaemonSet sets from status.hostIP).</summary>
internal sealed class StateOptions
{
    public string StoreDir { get; set; } = "/var/lib/cni/inframanager";

    [ConfigurationKeyName("NODE_IP")]
    public string NodeIp { get; set; } = string.Empty;

    public IPv4Address NodeAddress { get; private set; }

    /// <summary>Binds and validates; a wrong value is a <see cref="DaemonConfigurationException"/> naming its key.</summary>
    public static StateOptions Load(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.BindValidated(new StateOptions(), static (c, o) => c.Bind(o));
        if (string.IsNullOrWhiteSpace(options.StoreDir))
        {
            throw new DaemonConfigurationException("StoreDir: a directory is required");
        }

        if (string.IsNullOrWhiteSpace(options.NodeIp))
        {
            throw new DaemonConfigurationException("NODE_IP: the node's IPv4 address is required (the DaemonSet sets it from status.hostIP)");
        }

        if (!IPv4Address.TryParse(options.NodeIp, out var address) || address.Value == 0)
        {
            throw new DaemonConfigurationException($"NODE_IP: '{options.NodeIp}' is not an IPv4 address");
        }

        options.NodeAddress = address;
        return options;
    }
}
