using System.Security.Cryptography.X509Certificates;

namespace DaemonHost.Tls;

/// <summary>What one handshake uses: our certificate with its key (if any) and the CAs we trust.</summary>
public sealed record TlsMaterial(X509Certificate2? Certificate, X509Certificate2Collection Authorities);
