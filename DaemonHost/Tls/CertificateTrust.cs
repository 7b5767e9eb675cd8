using System.Security.Cryptography.X509Certificates;

namespace DaemonHost.Tls;

/// <summary>Verifies a peer certificate against our own CA only, never the machine's trust store.</summary>
public static class CertificateTrust
{
    public static bool IsIssuedBy(X509Certificate2 certificate, X509Certificate2Collection authorities, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(authorities);
        if (authorities.Count == 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        return chain.Build(certificate);
    }
}
