using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Grpc.Net.Client;

namespace DaemonHost.Tls;

/// <summary>
/// gRPC channels to our peers (manager, infrap4d, SoftTarget) in the link's TLS mode. The server
/// certificate must chain to our CA and name the host we dial (an IP SAN for 127.0.0.1, a DNS SAN
/// for localhost), as Go's crypto/tls checks it.
/// </summary>
public static class GrpcChannels
{
    /// <param name="address">host:port, or a full http(s) URI.</param>
    public static GrpcChannel Create(string address, ReloadingTlsMaterial? material, GrpcChannelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        var secure = material is not null && material.Settings.Mode != TlsMode.Insecure;
        var uri = address.Contains("://", StringComparison.Ordinal) ? address : $"{(secure ? "https" : "http")}://{address}";
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            KeepAlivePingDelay = TimeSpan.FromSeconds(30),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
            ConnectTimeout = TimeSpan.FromSeconds(5),
        };
        if (secure)
        {
            handler.SslOptions = ClientAuthentication(material!); // secure implies material
        }

        options ??= new GrpcChannelOptions();
        options.HttpHandler = handler;
        options.DisposeHttpClient = true;
        return GrpcChannel.ForAddress(uri, options);
    }

    private static SslClientAuthenticationOptions ClientAuthentication(ReloadingTlsMaterial material)
    {
        var options = new SslClientAuthenticationOptions
        {
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = (sender, certificate, _, _) =>
                certificate is X509Certificate2 server
                && sender is SslStream stream
                && server.MatchesHostname(stream.TargetHostName, allowWildcards: true, allowCommonName: false)
                && CertificateTrust.IsIssuedBy(server, material.Current.Authorities, material.Time.GetUtcNow()),
        };
        if (material.Settings.Mode == TlsMode.Mtls)
        {
            options.LocalCertificateSelectionCallback = (_, _, _, _, _) => material.Current.Certificate!; // mTLS settings always name a certificate
        }

        return options;
    }
}
