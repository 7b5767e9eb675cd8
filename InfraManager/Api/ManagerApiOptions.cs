namespace InfraManager.Api;

/// <summary>
/// Section InfraManager of the manager's configuration: where the agent reaches it and how the
/// link is secured (keys of the Go original's main branch; mTLS by default).
/// </summary>
internal sealed class ManagerApiOptions
{
    public const string Section = "InfraManager";

    public string Addr { get; set; } = "127.0.0.1:50002";

    public string Conn { get; set; } = "mtls";

    public string ServerCert { get; set; } = "/etc/pki/inframanager/server/tls.crt";

    public string ServerKey { get; set; } = "/etc/pki/inframanager/server/tls.key";

    /// <summary>The CA that signs agent client certificates.</summary>
    public string CaCert { get; set; } = "/etc/pki/inframanager/client/ca.crt";

    /// <summary>Comma-separated IANA names, e.g. TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 (ignored by TLS 1.3 in Go; honoured here).</summary>
    public string Ciphersuites { get; set; } = string.Empty;

    /// <summary>Plain HTTP endpoint serving Prometheus metrics at /metrics; empty turns it off.</summary>
    public string MetricsAddr { get; set; } = "127.0.0.1:50098";
}
