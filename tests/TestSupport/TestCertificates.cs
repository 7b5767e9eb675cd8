using System.Security.Cryptography.X509Certificates;
using CertGen;

namespace TestSupport;

/// <summary>
/// A node's certificates made by CertGen into a temporary folder (2048-bit keys, to be quick), plus
/// the bad ones tests need: from another CA, and expired. Removed on dispose.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    private readonly CertificateIssuer _issuer = new(2048);
    private readonly IssuedCertificate _authority;

    public TestCertificates()
    {
        Root = Directory.CreateTempSubdirectory("k8sio-certs-").FullName;
        var directory = new CertificateDirectory(Root, _issuer, TimeProvider.System);
        directory.Generate(force: true);
        _authority = new IssuedCertificate(File.ReadAllText(directory.CaCertificatePath), File.ReadAllText(directory.CaKeyPath));
    }

    public string Root { get; }

    public string CaFile => Path.Combine(Root, "ca.crt");

    public (string Certificate, string Key) ManagerServer => Pair("inframanager/server/tls");

    public (string Certificate, string Key) AgentClient => Pair("infraagent/client/tls");

    public (string Certificate, string Key) ManagerClient => Pair("inframanager/client/tls");

    public (string Certificate, string Key) Infrap4dServer => Pair("infrap4d/stratum");

    /// <summary>A client certificate like the agent's, but from a CA the server does not know (see <see cref="OtherAuthorityFile"/>).</summary>
    public (string Certificate, string Key) FromOtherAuthority(string name)
    {
        var other = _issuer.CreateAuthority("C=US,O=Elsewhere,CN=other-ca", DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var pair = Write(name, _issuer.IssueLeaf(other, AgentProfile, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30)));
        File.WriteAllText(OtherAuthorityFile(name), other.CertificatePem);
        return pair;
    }

    /// <summary>The CA certificate that issued <see cref="FromOtherAuthority"/>'s certificate of that name.</summary>
    public string OtherAuthorityFile(string name) => Path.Combine(Root, "extra", name + ".ca.crt");

    /// <summary>An agent client certificate from our CA whose validity ended yesterday.</summary>
    public (string Certificate, string Key) Expired(string name) =>
        Write(name, _issuer.IssueLeaf(_authority, AgentProfile, DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddDays(-1)));

    /// <summary>A fresh certificate of our CA with the agent's names and <paramref name="commonName"/>.</summary>
    public (string Certificate, string Key) Issue(string name, string commonName) =>
        Write(name, _issuer.IssueLeaf(_authority, AgentProfile with { CommonName = commonName }, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30)));

    public static X509Certificate2 Load((string Certificate, string Key) pair) => X509Certificate2.CreateFromPemFile(pair.Certificate, pair.Key);

    public void Dispose() => Directory.Delete(Root, recursive: true);

    private static CertificateProfile AgentProfile => NodeCertificates.Leaves.Single(l => l.CommonName == "infraagent-client");

    private (string Certificate, string Key) Pair(string stem) =>
        (Path.Combine(Root, stem + ".crt"), Path.Combine(Root, stem + ".key"));

    private (string Certificate, string Key) Write(string name, IssuedCertificate issued)
    {
        var pair = Pair(Path.Combine("extra", name));
        Directory.CreateDirectory(Path.GetDirectoryName(pair.Certificate)!); // always under Root/extra
        File.WriteAllText(pair.Key, issued.PrivateKeyPem);
        File.WriteAllText(pair.Certificate, issued.CertificatePem);
        return pair;
    }
}
