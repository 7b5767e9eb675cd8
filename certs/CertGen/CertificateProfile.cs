namespace CertGen;

/// <summary>
/// One leaf certificate of the node: where its files go, its subject, SANs and digest.
/// Every leaf has CA:FALSE and the key usages digitalSignature, keyEncipherment and keyAgreement,
/// and no extended key usage (reference-behaviour.md 6.11), so it serves as client and server.
/// </summary>
internal sealed record CertificateProfile(
    string Directory,
    string CertificateFile,
    string KeyFile,
    string CommonName,
    IReadOnlyList<string> DnsNames,
    IReadOnlyList<string> IpAddresses,
    string SignatureAlgorithm)
{
    public string CertificatePath(string root) => Path.Combine(root, Directory, CertificateFile);

    public string KeyPath(string root) => Path.Combine(root, Directory, KeyFile);
}
