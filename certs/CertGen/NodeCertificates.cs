namespace CertGen;

/// <summary>The CA and the five leaves of reference-behaviour.md 6.11, as the Kubernetes secrets expect them.</summary>
internal static class NodeCertificates
{
    public const string CaCertificateFile = "ca.crt";
    public const string CaKeyFile = "ca.key";
    public const string CaCommonName = "infra-server_ca";
    public const string CaSignatureAlgorithm = "SHA384WITHRSA";

    // C=US, ST=CA, L=SJ, O=IPDK as the original's gen_certs.sh.
    public const string SubjectPrefix = "C=US,ST=CA,L=SJ,O=IPDK";

    private static readonly string[] ServerDnsNames = ["localhost", "localhost.localdomain", "kubernetes.default"];
    private static readonly string[] ServerIpAddresses = ["127.0.0.1", "10.10.0.2", "::1", "fe80::1"];
    private static readonly string[] StratumIpAddresses = ["127.0.0.1", "::1", "fe80::1"];

    public static IReadOnlyList<CertificateProfile> Leaves { get; } =
    [
        new("inframanager/server", "tls.crt", "tls.key", "inframanager-server", ServerDnsNames, ServerIpAddresses, "SHA384WITHRSA"),
        new("infraagent/client", "tls.crt", "tls.key", "infraagent-client", ServerDnsNames, ServerIpAddresses, "SHA384WITHRSA"),
        new("infrap4d", "stratum.crt", "stratum.key", "localhost", ServerDnsNames, StratumIpAddresses, "SHA512WITHRSA"),
        new("infrap4d", "client.crt", "client.key", "stratum-client", ServerDnsNames, StratumIpAddresses, "SHA512WITHRSA"),
        new("inframanager/client", "tls.crt", "tls.key", "stratum-client", ServerDnsNames, StratumIpAddresses, "SHA512WITHRSA"),
    ];

    /// <summary>Every folder that gets a copy of ca.crt, so each secret is self-contained.</summary>
    public static IEnumerable<string> CaCopyDirectories => Leaves.Select(l => l.Directory).Distinct(StringComparer.Ordinal);
}
