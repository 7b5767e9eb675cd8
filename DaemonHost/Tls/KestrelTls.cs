using System.Net.Security;
using System.Security.Authentication;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace DaemonHost.Tls;

/// <summary>Puts a Kestrel gRPC endpoint in its TLS mode: HTTP/2 in every mode, TLS 1.2+ with ALPN.</summary>
public static class KestrelTls
{
    public static ListenOptions UseDaemonTls(this ListenOptions listen, ReloadingTlsMaterial? material)
    {
        ArgumentNullException.ThrowIfNull(listen);
        listen.Protocols = HttpProtocols.Http2;
        if (material is null || material.Settings.Mode == TlsMode.Insecure)
        {
            return listen;
        }

        var settings = material.Settings;
        var https = new HttpsConnectionAdapterOptions
        {
            SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            // Asked per handshake, so renewed files take effect for the next connection.
            ServerCertificateSelector = (_, _) => material.Current.Certificate,
            ClientCertificateMode = settings.Mode == TlsMode.Mtls ? ClientCertificateMode.RequireCertificate : ClientCertificateMode.NoCertificate,
            CheckCertificateRevocation = false,
        };
        if (settings.Mode == TlsMode.Mtls)
        {
            // Only our CA vouches for a client; the machine's trust store plays no part.
            https.ClientCertificateValidation = (certificate, _, _) =>
                CertificateTrust.IsIssuedBy(certificate, material.Current.Authorities, material.Time.GetUtcNow());
        }

        if (settings.CipherSuites is { Count: > 0 } suites)
        {
            https.OnAuthenticate = (_, options) => options.CipherSuitesPolicy = new CipherSuitesPolicy(suites);
        }

        return listen.UseHttps(https);
    }
}
