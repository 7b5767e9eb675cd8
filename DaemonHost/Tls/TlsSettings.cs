using System.Net.Security;
using DaemonHost.Configuration;

namespace DaemonHost.Tls;

/// <summary>
/// One end of a TLS link: its mode, its own certificate and key (a server always, a client for
/// mTLS) and the CA that verifies the peer. Paths are PEM files.
/// </summary>
public sealed record TlsSettings(
    TlsMode Mode,
    string CertificateFile,
    string KeyFile,
    string CaFile,
    IReadOnlyList<TlsCipherSuite>? CipherSuites = null)
{
    public static TlsSettings Insecure { get; } = new(TlsMode.Insecure, string.Empty, string.Empty, string.Empty);

    /// <summary>Parses a conn value (insecure, tls, mtls; any case); <paramref name="key"/> names it in the error.</summary>
    public static TlsMode ParseMode(string? value, string key) => value?.Trim().ToUpperInvariant() switch
    {
        "INSECURE" => TlsMode.Insecure,
        "TLS" => TlsMode.Tls,
        "MTLS" => TlsMode.Mtls,
        _ => throw new DaemonConfigurationException($"{key}: '{value}' is not an authentication type; use insecure, tls or mtls"),
    };

    /// <summary>Parses a comma-separated list of IANA cipher-suite names (Go's names are the same).</summary>
    public static IReadOnlyList<TlsCipherSuite>? ParseCipherSuites(string? value, string key)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var suites = new List<TlsCipherSuite>();
        foreach (var name in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Enum.TryParse<TlsCipherSuite>(name, ignoreCase: false, out var suite) || int.TryParse(name, out _))
            {
                throw new DaemonConfigurationException($"{key}: '{name}' is not a TLS cipher suite name");
            }

            suites.Add(suite);
        }

        return suites;
    }

    /// <summary>Checks that the files this mode needs exist; <paramref name="keys"/> names the keys of cert, key and CA.</summary>
    public TlsSettings Validate(bool isServer, (string Certificate, string Key, string Ca) keys)
    {
        if (Mode == TlsMode.Insecure)
        {
            return this;
        }

        var needOwnCertificate = isServer || Mode == TlsMode.Mtls;
        var needCa = !isServer || Mode == TlsMode.Mtls;
        if (needOwnCertificate)
        {
            RequireFile(CertificateFile, keys.Certificate);
            RequireFile(KeyFile, keys.Key);
        }

        if (needCa)
        {
            RequireFile(CaFile, keys.Ca);
        }

        return this;
    }

    private static void RequireFile(string path, string key)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new DaemonConfigurationException($"{key}: a file is required for this TLS mode");
        }

        if (!File.Exists(path))
        {
            throw new DaemonConfigurationException($"{key}: file {path} does not exist (make gen-certs writes them)");
        }
    }
}
