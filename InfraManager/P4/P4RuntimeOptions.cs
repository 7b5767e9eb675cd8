using DaemonHost.Configuration;
using DaemonHost.Tls;
using InfraManager.Api;

namespace InfraManager.P4;

/// <summary>
/// How the manager reaches the P4 target (infrap4d or SoftTarget) and which program it loads there.
/// Bound from the root of the configuration with the Go original's keys: Infrap4dGrpcServer and
/// Infrap4dGnmiServer {addr, conn, caCert}, InfraManager {clientCert, clientKey}, DeviceId,
/// P4InfoPath and p4BinPath.
/// </summary>
internal sealed class P4RuntimeOptions
{
    public const string GrpcSection = "Infrap4dGrpcServer";
    public const string GnmiSection = "Infrap4dGnmiServer";

    public TargetLinkOptions Infrap4dGrpcServer { get; set; } = new() { Addr = "localhost:9559" };

    public TargetLinkOptions Infrap4dGnmiServer { get; set; } = new() { Addr = "localhost:9339" };

    [ConfigurationKeyName(ManagerApiOptions.Section)]
    public ClientCertificateOptions Client { get; set; } = new();

    /// <summary>The P4Runtime device_id of every request.</summary>
    public ulong DeviceId { get; set; } = 1;

    /// <summary>The program's P4Info in protobuf text format, loaded when the target has no pipeline.</summary>
    public string P4InfoPath { get; set; } = "/share/infra/k8s_dp/p4Info.txt";

    /// <summary>The compiled program sent as p4_device_config (infrap4d needs it; SoftTarget ignores it).</summary>
    public string P4BinPath { get; set; } = "/share/infra/k8s_dp/k8s_dp.pb.bin";

    /// <summary>Binds and validates; a wrong value is a <see cref="DaemonConfigurationException"/> naming its key.</summary>
    public static P4RuntimeOptions Load(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.BindValidated(new P4RuntimeOptions(), static (c, o) => c.Bind(o));
        options.Validate();
        return options;
    }

    /// <summary>Checks every value the session and the port lookup will use.</summary>
    public void Validate()
    {
        _ = P4RuntimeLink();
        _ = GnmiLink();
        if (string.IsNullOrWhiteSpace(P4InfoPath))
        {
            throw new DaemonConfigurationException("P4InfoPath: a P4Info file is required");
        }

        // Needed whenever the target comes up empty, which may be long after start: check it now.
        if (!File.Exists(P4InfoPath))
        {
            throw new DaemonConfigurationException($"P4InfoPath: file {P4InfoPath} does not exist");
        }

        if (string.IsNullOrWhiteSpace(P4BinPath))
        {
            throw new DaemonConfigurationException("p4BinPath: a device config file is required");
        }
    }

    public P4TargetLink P4RuntimeLink() => Link(Infrap4dGrpcServer, GrpcSection);

    public P4TargetLink GnmiLink() => Link(Infrap4dGnmiServer, GnmiSection);

    private P4TargetLink Link(TargetLinkOptions link, string section)
    {
        var address = HostPort.Parse(link.Addr, $"{section}:addr");
        var mode = TlsSettings.ParseMode(link.Conn, $"{section}:conn");
        var tls = mode == TlsMode.Insecure
            ? TlsSettings.Insecure
            : new TlsSettings(
                    mode,
                    // Plain TLS presents no client certificate, so its files need not exist.
                    mode == TlsMode.Mtls ? Client.ClientCert : string.Empty,
                    mode == TlsMode.Mtls ? Client.ClientKey : string.Empty,
                    link.CaCert)
                .Validate(isServer: false, ($"{ManagerApiOptions.Section}:clientCert", $"{ManagerApiOptions.Section}:clientKey", $"{section}:caCert"));
        return new P4TargetLink(address, tls);
    }
}
