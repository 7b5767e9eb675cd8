namespace DaemonHost.Tls;

/// <summary>How a gRPC link is secured: the Go original's conn values insecure, tls and mtls.</summary>
public enum TlsMode
{
    Insecure,
    Tls,
    Mtls,
}
