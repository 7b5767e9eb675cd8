namespace SoftTarget;

/// <summary>SoftTarget's configuration: the addresses and security infrap4d would have, its device id and TAP ports.</summary>
internal sealed class SoftTargetOptions
{
    /// <summary>P4Runtime, as infrap4d's :9559.</summary>
    public string Addr { get; set; } = "127.0.0.1:9559";

    /// <summary>gNMI, as infrap4d's :9339.</summary>
    public string GnmiAddr { get; set; } = "127.0.0.1:9339";

    public ulong DeviceId { get; set; } = 1;

    /// <summary>insecure, tls or mtls; infrap4d's TLS files by default.</summary>
    public string Conn { get; set; } = "mtls";

    public string Cert { get; set; } = "/usr/share/stratum/certs/stratum.crt";

    public string Key { get; set; } = "/usr/share/stratum/certs/stratum.key";

    public string CaCert { get; set; } = "/usr/share/stratum/certs/ca.crt";

    /// <summary>Client certificate and key for `softtarget dump` against an mTLS target.</summary>
    public string ClientCert { get; set; } = "/usr/share/stratum/certs/client.crt";

    public string ClientKey { get; set; } = "/usr/share/stratum/certs/client.key";

    /// <summary>TAP ports made at start: prefix0 .. prefix{Ports-1}; more can be made through gNMI Set.</summary>
    public int Ports { get; set; }

    public string TapPrefix { get; set; } = "P4TAP_";
}
