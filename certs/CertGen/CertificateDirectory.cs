using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CertGen;

/// <summary>
/// The certificates folder of a node. Generate keeps every certificate that is still good
/// (loads with its key, chains to the CA, names the expected subject, lives past the renewal
/// window) and issues the rest; a new CA re-issues every leaf.
/// </summary>
internal sealed class CertificateDirectory
{
    private static readonly UnixFileMode KeyMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private static readonly UnixFileMode CertificateMode = KeyMode | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private readonly string _root;
    private readonly CertificateIssuer _issuer;
    private readonly TimeProvider _time;

    public CertificateDirectory(string root, CertificateIssuer issuer, TimeProvider time)
    {
        _root = Path.GetFullPath(root);
        _issuer = issuer;
        _time = time;
    }

    /// <summary>How long before expiry a certificate is replaced.</summary>
    public TimeSpan RenewBefore { get; init; } = TimeSpan.FromDays(30);

    public TimeSpan Validity { get; init; } = TimeSpan.FromDays(365);

    public string CaCertificatePath => Path.Combine(_root, NodeCertificates.CaCertificateFile);

    public string CaKeyPath => Path.Combine(_root, NodeCertificates.CaKeyFile);

    /// <summary>Writes what is missing or no longer good (everything when <paramref name="force"/>) and says what it did.</summary>
    public IReadOnlyList<string> Generate(bool force)
    {
        var report = new List<string>();
        var now = _time.GetUtcNow();
        IssuedCertificate authority;
        var newAuthority = force || !IsGoodAuthority(now);
        if (newAuthority)
        {
            authority = _issuer.CreateAuthority($"{NodeCertificates.SubjectPrefix},CN={NodeCertificates.CaCommonName}", now.AddMinutes(-5), now + Validity);
            Write(CaCertificatePath, CaKeyPath, authority);
            report.Add($"created {CaCertificatePath}");
        }
        else
        {
            authority = new IssuedCertificate(File.ReadAllText(CaCertificatePath), File.ReadAllText(CaKeyPath));
            report.Add($"kept    {CaCertificatePath}");
        }

        using var ca = X509Certificate2.CreateFromPem(authority.CertificatePem);
        foreach (var profile in NodeCertificates.Leaves)
        {
            var certificatePath = profile.CertificatePath(_root);
            if (!newAuthority && IsGoodLeaf(profile, ca, now))
            {
                report.Add($"kept    {certificatePath}");
                continue;
            }

            Write(certificatePath, profile.KeyPath(_root), _issuer.IssueLeaf(authority, profile, now.AddMinutes(-5), now + Validity));
            report.Add($"created {certificatePath}");
        }

        foreach (var directory in NodeCertificates.CaCopyDirectories)
        {
            WriteAtomically(Path.Combine(_root, directory, NodeCertificates.CaCertificateFile), authority.CertificatePem, CertificateMode);
        }

        return report;
    }

    private bool IsGoodAuthority(DateTimeOffset now)
    {
        if (!File.Exists(CaCertificatePath) || !File.Exists(CaKeyPath))
        {
            return false;
        }

        try
        {
            using var ca = X509Certificate2.CreateFromPemFile(CaCertificatePath, CaKeyPath);
            var constraints = ca.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault();
            return constraints is { CertificateAuthority: true } && LivesPastRenewal(ca, now);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private bool IsGoodLeaf(CertificateProfile profile, X509Certificate2 ca, DateTimeOffset now)
    {
        var certificatePath = profile.CertificatePath(_root);
        var keyPath = profile.KeyPath(_root);
        if (!File.Exists(certificatePath) || !File.Exists(keyPath))
        {
            return false;
        }

        try
        {
            using var leaf = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
            return leaf.GetNameInfo(X509NameType.SimpleName, forIssuer: false) == profile.CommonName
                && LivesPastRenewal(leaf, now)
                && ChainsTo(leaf, ca, now);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private bool LivesPastRenewal(X509Certificate2 certificate, DateTimeOffset now) =>
        certificate.NotBefore.ToUniversalTime() <= now.UtcDateTime && certificate.NotAfter.ToUniversalTime() > (now + RenewBefore).UtcDateTime;

    private static bool ChainsTo(X509Certificate2 leaf, X509Certificate2 ca, DateTimeOffset now)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        return chain.Build(leaf);
    }

    private static void Write(string certificatePath, string keyPath, IssuedCertificate issued)
    {
        WriteAtomically(keyPath, issued.PrivateKeyPem, KeyMode);
        WriteAtomically(certificatePath, issued.CertificatePem, CertificateMode);
    }

    private static void WriteAtomically(string path, string content, UnixFileMode mode)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!); // a full path always has a directory
        var temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = mode,
        }))
        {
            using var writer = new StreamWriter(stream);
            writer.Write(content);
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }

        File.SetUnixFileMode(temporary, mode);
        File.Move(temporary, path, overwrite: true);
    }
}
