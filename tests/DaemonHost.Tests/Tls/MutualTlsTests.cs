using DaemonHost.Tls;
using Grpc.Core;
using Grpc.Health.V1;
using TestSupport;
using Xunit;

namespace DaemonHost.Tests.Tls;

/// <summary>The manager's mTLS link as the agent meets it: real Kestrel, real gRPC client, real certificates.</summary>
public sealed class MutualTlsTests : IClassFixture<TestCertificates>
{
    private readonly TestCertificates _certificates;

    public MutualTlsTests(TestCertificates certificates)
    {
        _certificates = certificates;
    }

    private TlsSettings ServerSettings(TlsMode mode) =>
        new(mode, _certificates.ManagerServer.Certificate, _certificates.ManagerServer.Key, _certificates.CaFile);

    private TlsSettings ClientSettings((string Certificate, string Key) pair) =>
        new(TlsMode.Mtls, pair.Certificate, pair.Key, _certificates.CaFile);

    [Fact]
    public async Task Mtls_ClientWithCaSignedCertificate_IsServed()
    {
        await using var server = await HealthServer.StartAsync(ServerSettings(TlsMode.Mtls));

        var status = await CheckAsync(server.Port, ClientSettings(_certificates.AgentClient));

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, status);
    }

    [Fact]
    public async Task Mtls_ClientWithoutCertificate_IsRefused()
    {
        await using var server = await HealthServer.StartAsync(ServerSettings(TlsMode.Mtls));
        var tlsOnly = new TlsSettings(TlsMode.Tls, string.Empty, string.Empty, _certificates.CaFile);

        var error = await Assert.ThrowsAsync<RpcException>(() => CheckAsync(server.Port, tlsOnly));

        AssertRefusedByServer(error);
    }

    [Fact]
    public async Task Mtls_ClientFromAnotherCa_IsRefused()
    {
        await using var server = await HealthServer.StartAsync(ServerSettings(TlsMode.Mtls));

        var error = await Assert.ThrowsAsync<RpcException>(() => CheckAsync(server.Port, ClientSettings(_certificates.FromOtherAuthority("other"))));

        AssertRefusedByServer(error);
    }

    [Fact]
    public async Task Mtls_ExpiredClientCertificate_IsRefused()
    {
        await using var server = await HealthServer.StartAsync(ServerSettings(TlsMode.Mtls));

        var error = await Assert.ThrowsAsync<RpcException>(() => CheckAsync(server.Port, ClientSettings(_certificates.Expired("expired"))));

        AssertRefusedByServer(error);
    }

    [Fact]
    public async Task Tls_ClientWithoutCertificate_IsServed()
    {
        await using var server = await HealthServer.StartAsync(ServerSettings(TlsMode.Tls));
        var tlsOnly = new TlsSettings(TlsMode.Tls, string.Empty, string.Empty, _certificates.CaFile);

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, await CheckAsync(server.Port, tlsOnly));
    }

    [Fact]
    public async Task Insecure_PlainHttp2Client_IsServed()
    {
        await using var server = await HealthServer.StartAsync(TlsSettings.Insecure);

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, await CheckAsync(server.Port, TlsSettings.Insecure));
    }

    [Fact]
    public async Task Client_ServerCertificateNotNamingTheHost_IsRejected()
    {
        // The infrap4d certificate names localhost and loopback IPs; dialled as 127.0.0.2 it must fail.
        await using var server = await HealthServer.StartAsync(
            new TlsSettings(TlsMode.Mtls, _certificates.Infrap4dServer.Certificate, _certificates.Infrap4dServer.Key, _certificates.CaFile),
            address: System.Net.IPAddress.Parse("127.0.0.2"));

        var error = await Assert.ThrowsAsync<RpcException>(() => CheckAsync(server.Port, ClientSettings(_certificates.ManagerClient), host: "127.0.0.2"));

        AssertTlsRejectedByClient(error);
    }

    [Fact]
    public async Task Client_ServerFromAnotherCa_IsRejected()
    {
        var other = _certificates.FromOtherAuthority("rogue-server");
        await using var server = await HealthServer.StartAsync(new TlsSettings(TlsMode.Tls, other.Certificate, other.Key, string.Empty));

        var error = await Assert.ThrowsAsync<RpcException>(() => CheckAsync(server.Port, ClientSettings(_certificates.AgentClient)));

        AssertTlsRejectedByClient(error);
    }

    // With TLS 1.3 the server judges the client certificate after the client thinks the handshake is
    // done, so the refusal reaches the call as a failed connection (Unavailable) or a reset stream (Internal).
    internal static void AssertRefusedByServer(RpcException error) =>
        Assert.True(error.StatusCode is StatusCode.Unavailable or StatusCode.Internal, error.ToString());

    // The client refuses the server during the handshake: no request is sent.
    private static void AssertTlsRejectedByClient(RpcException error)
    {
        Exception? cause = error.Status.DebugException;
        while (cause is not null and not System.Security.Authentication.AuthenticationException)
        {
            cause = cause.InnerException;
        }

        Assert.True(cause is System.Security.Authentication.AuthenticationException, error.ToString());
    }

    internal static async Task<HealthCheckResponse.Types.ServingStatus> CheckAsync(int port, TlsSettings client, string host = "127.0.0.1")
    {
        using var material = client.Mode == TlsMode.Insecure ? null : new ReloadingTlsMaterial(client, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        using var channel = GrpcChannels.Create($"{host}:{port}", material);
        var reply = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(10));
        return reply.Status;
    }
}
