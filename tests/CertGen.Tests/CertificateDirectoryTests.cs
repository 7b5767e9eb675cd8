using System.Net;
using System.Security.Cryptography.X509Certificates;
using CertGen;
using TestSupport;
using Xunit;

namespace CertGen.Tests;

/// <summary>A generated certificates folder, made once for the tests that only read it.</summary>
public sealed class GeneratedCertificates : IDisposable
{
    public GeneratedCertificates()
    {
        Root = System.IO.Directory.CreateTempSubdirectory("k8sio-certgen-").FullName;
        Directory = new CertificateDirectory(Root, new CertificateIssuer(2048), TimeProvider.System);
        Directory.Generate(force: false);
    }

    public string Root { get; }

    internal CertificateDirectory Directory { get; }

    public void Dispose() => System.IO.Directory.Delete(Root, recursive: true);
}

/// <summary>What make gen-certs writes, read back with .NET's X.509 stack as a peer would read it.</summary>
public sealed class CertificateContentTests : IClassFixture<GeneratedCertificates>
{
    private readonly string _root;

    public CertificateContentTests(GeneratedCertificates certificates)
    {
        _root = certificates.Root;
    }

    public static TheoryData<string, string, string> Leaves => new()
    {
        { "inframanager/server/tls", "inframanager-server", "sha384RSA" },
        { "infraagent/client/tls", "infraagent-client", "sha384RSA" },
        { "infrap4d/stratum", "localhost", "sha512RSA" },
        { "infrap4d/client", "stratum-client", "sha512RSA" },
        { "inframanager/client/tls", "stratum-client", "sha512RSA" },
    };

    [Fact]
    public void Generate_Authority_IsSelfSignedCaWithCertSignOnly()
    {
        using var ca = X509Certificate2.CreateFromPemFile(Path.Combine(_root, "ca.crt"), Path.Combine(_root, "ca.key"));

        // .NET prints the RDNs last-first: encoded as C, ST, L, O, CN like the original's openssl subjects.
        Assert.Equal("CN=infra-server_ca, O=IPDK, L=SJ, S=CA, C=US", ca.Subject);
        Assert.Equal(ca.Subject, ca.Issuer);
        Assert.Equal("sha384RSA", ca.SignatureAlgorithm.FriendlyName);
        var constraints = Assert.Single(ca.Extensions.OfType<X509BasicConstraintsExtension>());
        Assert.True(constraints.Critical);
        Assert.True(constraints.CertificateAuthority);
        var usage = Assert.Single(ca.Extensions.OfType<X509KeyUsageExtension>());
        Assert.True(usage.Critical);
        Assert.Equal(X509KeyUsageFlags.KeyCertSign, usage.KeyUsages);
        Assert.Single(ca.Extensions.OfType<X509SubjectKeyIdentifierExtension>());
        var authorityKey = Assert.Single(ca.Extensions.OfType<X509AuthorityKeyIdentifierExtension>());
        Assert.NotNull(authorityKey.NamedIssuer);
        Assert.NotNull(authorityKey.SerialNumber);
        AssertValidity(ca, TimeSpan.FromDays(365));
    }

    [Theory]
    [MemberData(nameof(Leaves))]
    public void Generate_Leaf_ChainsToCaWithSubjectUsagesAndSans(string stem, string commonName, string signature)
    {
        using var ca = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(_root, "ca.crt")));
        using var leaf = X509Certificate2.CreateFromPemFile(Path.Combine(_root, stem + ".crt"), Path.Combine(_root, stem + ".key"));

        Assert.True(leaf.HasPrivateKey);
        Assert.Equal($"CN={commonName}, O=IPDK, L=SJ, S=CA, C=US", leaf.Subject);
        Assert.Equal(ca.Subject, leaf.Issuer);
        Assert.Equal(signature, leaf.SignatureAlgorithm.FriendlyName);
        Assert.True(Chains(leaf, ca));
        var constraints = Assert.Single(leaf.Extensions.OfType<X509BasicConstraintsExtension>());
        Assert.True(constraints.Critical);
        Assert.False(constraints.CertificateAuthority);
        var usage = Assert.Single(leaf.Extensions.OfType<X509KeyUsageExtension>());
        Assert.True(usage.Critical);
        Assert.Equal(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.KeyAgreement, usage.KeyUsages);
        Assert.Empty(leaf.Extensions.OfType<X509EnhancedKeyUsageExtension>());
        var sans = Assert.Single(leaf.Extensions.OfType<X509SubjectAlternativeNameExtension>());
        Assert.Equal(["localhost", "localhost.localdomain", "kubernetes.default"], sans.EnumerateDnsNames());
        var ips = sans.EnumerateIPAddresses().ToList();
        Assert.Contains(IPAddress.Loopback, ips);
        Assert.Contains(IPAddress.IPv6Loopback, ips);
        Assert.Contains(IPAddress.Parse("fe80::1"), ips);
        // Only the manager server and agent certificates carry the split-mode address.
        Assert.Equal(stem.StartsWith("infrap4d", StringComparison.Ordinal) || stem == "inframanager/client/tls", !ips.Contains(IPAddress.Parse("10.10.0.2")));
        Assert.True(leaf.MatchesHostname("127.0.0.1"));
        Assert.True(leaf.MatchesHostname("localhost"));
        AssertValidity(leaf, TimeSpan.FromDays(365));
    }

    [Fact]
    public void Generate_EverySecretFolder_HasTheCa()
    {
        var ca = File.ReadAllText(Path.Combine(_root, "ca.crt"));
        foreach (var folder in new[] { "inframanager/server", "inframanager/client", "infraagent/client", "infrap4d" })
        {
            Assert.Equal(ca, File.ReadAllText(Path.Combine(_root, folder, "ca.crt")));
        }
    }

    [Fact]
    public void Generate_Keys_AreOwnerOnly()
    {
        foreach (var key in Directory.EnumerateFiles(_root, "*.key", SearchOption.AllDirectories))
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
        }
    }

    internal static bool Chains(X509Certificate2 leaf, X509Certificate2 ca)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(leaf);
    }

    private static void AssertValidity(X509Certificate2 certificate, TimeSpan expected)
    {
        var lifetime = certificate.NotAfter - certificate.NotBefore;
        Assert.InRange(lifetime, expected, expected + TimeSpan.FromMinutes(10));
        Assert.True(certificate.NotBefore <= DateTime.Now);
    }
}

/// <summary>Re-running make gen-certs: what it keeps, what it replaces.</summary>
public sealed class CertificateRenewalTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("k8sio-certgen-").FullName;
    private readonly CertificateDirectory _directory;

    public CertificateRenewalTests()
    {
        _directory = new CertificateDirectory(_root, new CertificateIssuer(2048), TimeProvider.System);
        _directory.Generate(force: false);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Generate_Again_KeepsValidCertificates()
    {
        var before = Snapshot();

        var report = _directory.Generate(force: false);

        Assert.All(report, line => Assert.StartsWith("kept", line, StringComparison.Ordinal));
        Assert.Equal(before, Snapshot());
    }

    [Fact]
    public void Generate_Force_ReplacesEverything()
    {
        var before = Snapshot();

        _directory.Generate(force: true);

        var after = Snapshot();
        Assert.All(before.Keys, path => Assert.NotEqual(before[path], after[path]));
    }

    [Fact]
    public void Generate_BrokenLeaf_IsReissuedAndTheRestKept()
    {
        var before = Snapshot();
        var broken = Path.Combine(_root, "infraagent/client/tls.crt");
        File.WriteAllText(broken, "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n");

        _directory.Generate(force: false);

        var after = Snapshot();
        Assert.NotEqual(before[broken], after[broken]);
        Assert.Equal(before[Path.Combine(_root, "inframanager/server/tls.crt")], after[Path.Combine(_root, "inframanager/server/tls.crt")]);
        using var ca = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(_root, "ca.crt")));
        using var leaf = X509Certificate2.CreateFromPemFile(broken, Path.Combine(_root, "infraagent/client/tls.key"));
        Assert.True(CertificateContentTests.Chains(leaf, ca));
    }

    [Fact]
    public void Generate_NewAuthority_ReissuesLeavesItSigns()
    {
        File.Delete(Path.Combine(_root, "ca.key"));

        _directory.Generate(force: false);

        using var ca = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(_root, "ca.crt")));
        foreach (var (stem, _, _) in CertificateContentTests.Leaves.Select(row => ((string)row[0], (string)row[1], (string)row[2])))
        {
            using var leaf = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(_root, stem + ".crt")));
            Assert.True(CertificateContentTests.Chains(leaf, ca), stem);
        }
    }

    [Fact]
    public async Task CertgenProgram_WritesCertificatesAndKeepsThemOnRerun()
    {
        var output = Path.Combine(_root, "cli");
        string[] arguments = [Path.Combine(AppContext.BaseDirectory, "certgen.dll"), "--out", output, "--key-size", "2048"];

        var first = await ChildProcess.RunAsync(ChildProcess.DotnetHost, arguments);
        var second = await ChildProcess.RunAsync(ChildProcess.DotnetHost, arguments);
        var bad = await ChildProcess.RunAsync(ChildProcess.DotnetHost, [arguments[0], "--days", "7"]);

        Assert.Equal(0, first.ExitCode);
        Assert.Equal(6, first.StandardOutput.Split('\n').Count(l => l.StartsWith("created", StringComparison.Ordinal)));
        Assert.Equal(0, second.ExitCode);
        Assert.Equal(6, second.StandardOutput.Split('\n').Count(l => l.StartsWith("kept", StringComparison.Ordinal)));
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--days", bad.StandardError, StringComparison.Ordinal);
    }

    private Dictionary<string, string> Snapshot() =>
        Directory.EnumerateFiles(_root, "*.crt", SearchOption.AllDirectories)
            .Where(p => !p.EndsWith("ca.crt", StringComparison.Ordinal))
            .ToDictionary(p => p, File.ReadAllText);
}
