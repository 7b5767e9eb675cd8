using System.Net;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.OpenSsl;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;
using Org.BouncyCastle.X509.Extension;
using BcCertificate = Org.BouncyCastle.X509.X509Certificate;

namespace CertGen;

/// <summary>Makes RSA keys and X.509 v3 certificates with BouncyCastle; no openssl involved.</summary>
internal sealed class CertificateIssuer
{
    private readonly SecureRandom _random = new();
    private readonly int _keySize;

    public CertificateIssuer(int keySize)
    {
        if (keySize is < 2048 or > 8192 || keySize % 1024 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(keySize), keySize, "key size must be 2048, 3072, 4096 ... 8192 bits");
        }

        _keySize = keySize;
    }

    /// <summary>A self-signed CA: CA:TRUE (critical), SKI, AKI keyid+issuer+serial, keyCertSign (critical).</summary>
    public IssuedCertificate CreateAuthority(string subject, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        var keys = GenerateKeyPair();
        var name = new X509Name(subject);
        var serial = NewSerial();
        var generator = NewGenerator(name, name, serial, keys.Public, notBefore, notAfter);
        generator.AddExtension(X509Extensions.BasicConstraints, true, new BasicConstraints(true));
        generator.AddExtension(X509Extensions.SubjectKeyIdentifier, false, X509ExtensionUtilities.CreateSubjectKeyIdentifier(keys.Public));
        var keyId = X509ExtensionUtilities.CreateSubjectKeyIdentifier(keys.Public).GetKeyIdentifier();
        generator.AddExtension(
            X509Extensions.AuthorityKeyIdentifier,
            false,
            new AuthorityKeyIdentifier(keyId, new GeneralNames(new GeneralName(name)), serial));
        generator.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(KeyUsage.KeyCertSign));

        var certificate = generator.Generate(new Asn1SignatureFactory(NodeCertificates.CaSignatureAlgorithm, keys.Private, _random));
        return new IssuedCertificate(ToPem(certificate), ToPem(keys.Private));
    }

    /// <summary>A leaf signed by <paramref name="authority"/>, as <paramref name="profile"/> describes.</summary>
    public IssuedCertificate IssueLeaf(
        IssuedCertificate authority,
        CertificateProfile profile,
        DateTimeOffset notBefore,
        DateTimeOffset notAfter)
    {
        ArgumentNullException.ThrowIfNull(authority);
        ArgumentNullException.ThrowIfNull(profile);
        var caCertificate = (BcCertificate)ReadPem(authority.CertificatePem);
        var caKey = ReadPrivateKey(authority.PrivateKeyPem);
        var keys = GenerateKeyPair();

        var generator = NewGenerator(
            caCertificate.SubjectDN,
            new X509Name($"{NodeCertificates.SubjectPrefix},CN={profile.CommonName}"),
            NewSerial(),
            keys.Public,
            notBefore,
            notAfter);
        generator.AddExtension(X509Extensions.BasicConstraints, true, new BasicConstraints(false));
        generator.AddExtension(X509Extensions.SubjectKeyIdentifier, false, X509ExtensionUtilities.CreateSubjectKeyIdentifier(keys.Public));
        generator.AddExtension(X509Extensions.AuthorityKeyIdentifier, false, X509ExtensionUtilities.CreateAuthorityKeyIdentifier(caCertificate));
        generator.AddExtension(
            X509Extensions.KeyUsage,
            true,
            new KeyUsage(KeyUsage.DigitalSignature | KeyUsage.KeyEncipherment | KeyUsage.KeyAgreement));
        var names = profile.DnsNames.Select(n => new GeneralName(GeneralName.DnsName, n))
            .Concat(profile.IpAddresses.Select(ip => new GeneralName(GeneralName.IPAddress, new DerOctetString(IPAddress.Parse(ip).GetAddressBytes()))))
            .ToArray();
        generator.AddExtension(X509Extensions.SubjectAlternativeName, false, new GeneralNames(names));

        var certificate = generator.Generate(new Asn1SignatureFactory(profile.SignatureAlgorithm, caKey, _random));
        return new IssuedCertificate(ToPem(certificate), ToPem(keys.Private));
    }

    private AsymmetricCipherKeyPair GenerateKeyPair()
    {
        var generator = new RsaKeyPairGenerator();
        generator.Init(new RsaKeyGenerationParameters(BigInteger.ValueOf(65537), _random, _keySize, 80));
        return generator.GenerateKeyPair();
    }

    // Random positive 127-bit serials: unique per issue, so a re-issued leaf never repeats a serial.
    private BigInteger NewSerial() => new BigInteger(127, _random).Add(BigInteger.One);

    private static X509V3CertificateGenerator NewGenerator(
        X509Name issuer,
        X509Name subject,
        BigInteger serial,
        AsymmetricKeyParameter publicKey,
        DateTimeOffset notBefore,
        DateTimeOffset notAfter)
    {
        var generator = new X509V3CertificateGenerator();
        generator.SetSerialNumber(serial);
        generator.SetIssuerDN(issuer);
        generator.SetSubjectDN(subject);
        generator.SetNotBefore(notBefore.UtcDateTime);
        generator.SetNotAfter(notAfter.UtcDateTime);
        generator.SetPublicKey(publicKey);
        return generator;
    }

    private static string ToPem(object value)
    {
        using var text = new StringWriter();
        var writer = new PemWriter(text);
        // Keys as PKCS#8 ("PRIVATE KEY"): Go's tls, OpenSSL (infrap4d) and .NET all read it.
        writer.WriteObject(value is AsymmetricKeyParameter key ? new Pkcs8Generator(key).Generate() : value);
        writer.Writer.Flush();
        return text.ToString();
    }

    private static object ReadPem(string pem)
    {
        using var reader = new StringReader(pem);
        return new PemReader(reader).ReadObject() ?? throw new InvalidDataException("no PEM object found");
    }

    private static AsymmetricKeyParameter ReadPrivateKey(string pem) => ReadPem(pem) switch
    {
        AsymmetricCipherKeyPair pair => pair.Private,
        AsymmetricKeyParameter { IsPrivate: true } key => key,
        PrivateKeyInfo info => PrivateKeyFactory.CreateKey(info),
        var other => throw new InvalidDataException($"expected a private key, found {other.GetType().Name}"),
    };
}
