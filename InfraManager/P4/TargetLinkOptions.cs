namespace InfraManager.P4;

/// <summary>
/// One of infrap4d's servers as the manager dials it (sections Infrap4dGrpcServer and
/// Infrap4dGnmiServer of the Go original's main branch): address, security and the CA that signs
/// the server's certificate.
/// </summary>
internal sealed class TargetLinkOptions
{
    public string Addr { get; set; } = string.Empty;

    /// <summary>insecure, tls or mtls (any case).</summary>
    public string Conn { get; set; } = "mtls";

    public string CaCert { get; set; } = "/etc/pki/inframanager/client/ca.crt";
}
