using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using DaemonHost.Tls;
using Grpc.Core;
using Grpc.Health.V1;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using TestSupport;
using Xunit;

namespace DaemonHost.Tests.Tls;

/// <summary>Renewed certificate and CA files take effect for new connections without a restart; RPCs in flight go on.</summary>
public sealed class TlsReloadTests : IClassFixture<TestCertificates>, IDisposable
{
    private readonly TestCertificates _certificates;
    private readonly string _live = Directory.CreateTempSubdirectory("k8sio-live-").FullName;
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    public TlsReloadTests(TestCertificates certificates)
    {
        _certificates = certificates;
        File.Copy(certificates.ManagerServer.Certificate, LiveCertificate);
        File.Copy(certificates.ManagerServer.Key, LiveKey);
        File.Copy(certificates.CaFile, LiveCa);
    }

    private string LiveCertificate => Path.Combine(_live, "tls.crt");

    private string LiveKey => Path.Combine(_live, "tls.key");

    private string LiveCa => Path.Combine(_live, "ca.crt");

    public void Dispose() => Directory.Delete(_live, recursive: true);

    [Fact]
    public async Task RenewedServerCertificate_UsedByNextConnection_WhileInFlightStreamContinues()
    {
        await using var server = await HealthServer.StartAsync(new TlsSettings(TlsMode.Mtls, LiveCertificate, LiveKey, LiveCa), _time);
        var agent = new TlsSettings(TlsMode.Mtls, _certificates.AgentClient.Certificate, _certificates.AgentClient.Key, _certificates.CaFile);
        using var material = new ReloadingTlsMaterial(agent, TimeProvider.System, NullLogger.Instance);
        using var channel = GrpcChannels.Create($"127.0.0.1:{server.Port}", material);
        using var watch = new Health.HealthClient(channel).Watch(new HealthCheckRequest(), cancellationToken: TaskTimeoutExtensions.DefaultTimeoutToken());
        Assert.True(await watch.ResponseStream.MoveNext().DefaultTimeout());
        Assert.Equal("CN=inframanager-server", await ServerSubjectAsync(server.Port));

        var renewed = _certificates.Issue("renewed", "inframanager-server-renewed");
        File.Copy(renewed.Key, LiveKey, overwrite: true);
        File.Copy(renewed.Certificate, LiveCertificate, overwrite: true);
        _time.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal("CN=inframanager-server-renewed", await ServerSubjectAsync(server.Port));
        server.Health.SetStatus(string.Empty, HealthCheckResponse.Types.ServingStatus.NotServing);
        Assert.True(await watch.ResponseStream.MoveNext().DefaultTimeout());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, watch.ResponseStream.Current.Status);
    }

    [Fact]
    public async Task ReplacedCa_ClientsOfTheNewCaAccepted()
    {
        await using var server = await HealthServer.StartAsync(new TlsSettings(TlsMode.Mtls, LiveCertificate, LiveKey, LiveCa), _time);
        var foreign = _certificates.FromOtherAuthority("foreign-client");
        var foreignCa = _certificates.OtherAuthorityFile("foreign-client");
        var client = new TlsSettings(TlsMode.Mtls, foreign.Certificate, foreign.Key, _certificates.CaFile);
        await Assert.ThrowsAsync<RpcException>(() => MutualTlsTests.CheckAsync(server.Port, client));

        // A CA bundle: ours and the new one, as during a CA rotation.
        await File.WriteAllTextAsync(LiveCa, await File.ReadAllTextAsync(_certificates.CaFile) + await File.ReadAllTextAsync(foreignCa));
        _time.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, await MutualTlsTests.CheckAsync(server.Port, client));
    }

    [Fact]
    public async Task HalfWrittenCertificate_KeepsServingWithThePreviousOne()
    {
        await using var server = await HealthServer.StartAsync(new TlsSettings(TlsMode.Mtls, LiveCertificate, LiveKey, LiveCa), _time);
        await File.WriteAllTextAsync(LiveCertificate, "-----BEGIN CERTIFICATE-----\nMIIF");
        _time.Advance(TimeSpan.FromSeconds(2));

        var agent = new TlsSettings(TlsMode.Mtls, _certificates.AgentClient.Certificate, _certificates.AgentClient.Key, _certificates.CaFile);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, await MutualTlsTests.CheckAsync(server.Port, agent));
        Assert.Equal("CN=inframanager-server", await ServerSubjectAsync(server.Port));
    }

    /// <summary>Opens a fresh TLS connection, as a new agent would, and reports the certificate the server shows.</summary>
    private async Task<string> ServerSubjectAsync(int port)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port).DefaultTimeout();
        using var client = TestCertificates.Load(_certificates.AgentClient);
        await using var tls = new SslStream(tcp.GetStream());
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "127.0.0.1",
            ApplicationProtocols = [SslApplicationProtocol.Http2],
            ClientCertificates = [client],
            // Only the subject is looked at; trust is what MutualTlsTests checks.
#pragma warning disable CA5359
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
#pragma warning restore CA5359
        }).DefaultTimeout();
        return new X509Certificate2(tls.RemoteCertificate!).Subject.Split(',')[0]; // authenticated stream always has one
    }
}
