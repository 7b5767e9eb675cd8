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
        new("client-cert", "InfraManager:clientCert", "client certificate towards infrap4d/SoftTarget (PEM)"),
        new("client-key", "InfraManager:clientKey", "client key towards infrap4d/SoftTarget (PEM)"),
        new("p4runtime-addr", "Infrap4dGrpcServer:addr", "P4Runtime target (infrap4d or SoftTarget)"),
        new("p4runtime-conn", "Infrap4dGrpcServer:conn", "P4Runtime link security: insecure, tls or mtls"),
        new("p4runtime-ca-cert", "Infrap4dGrpcServer:caCert", "CA of the P4Runtime target's certificate (PEM)"),
        new("gnmi-addr", "Infrap4dGnmiServer:addr", "gNMI target"),
        new("gnmi-conn", "Infrap4dGnmiServer:conn", "gNMI link security: insecure, tls or mtls"),
        new("gnmi-ca-cert", "Infrap4dGnmiServer:caCert", "CA of the gNMI target's certificate (PEM)"),
        new("device-id", "DeviceId", "P4Runtime device id"),
        new("p4info", "P4InfoPath", "k8s_dp p4Info.txt, loaded when the target has no pipeline"),
        new("p4bin", "p4BinPath", "k8s_dp.pb.bin sent with it"),
        new("metrics-addr", "InfraManager:metricsAddr", "Prometheus /metrics endpoint (plain HTTP); empty turns it off"),
        new("store-dir", "StoreDir", "directory of the durable desired state"),
        new("node-ip", "NODE_IP", "the node's IPv4 address (routed to the host interface)"),
        new("log-level", "LogLevel", "Trace, Debug, Info, Warn, Error or Fatal"),
        new("log-file", "LogFile", "log file, besides the console"),
    ];
}
