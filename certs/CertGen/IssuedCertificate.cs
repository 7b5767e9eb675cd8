using System.Security.Cryptography.X509Certificates;

namespace CertGen;

/// <summary>A certificate with its private key, both as PEM text, ready to write or load.</summary>
internal sealed record IssuedCertificate(string CertificatePem, string PrivateKeyPem)
{
    public X509Certificate2 ToX509() => X509Certificate2.CreateFromPem(CertificatePem, PrivateKeyPem);
}
