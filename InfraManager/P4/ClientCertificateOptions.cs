namespace InfraManager.P4;

/// <summary>
/// The manager's client certificate for mTLS to infrap4d. The Go original reads it from the
/// InfraManager section (clientCert, clientKey) for both the P4Runtime and the gNMI link.
/// </summary>
internal sealed class ClientCertificateOptions
{
    public string ClientCert { get; set; } = "/etc/pki/inframanager/client/tls.crt";

    public string ClientKey { get; set; } = "/etc/pki/inframanager/client/tls.key";
}
