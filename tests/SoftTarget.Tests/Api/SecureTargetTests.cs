using DaemonHost.Tls;
using Grpc.Core;
using Microsoft.Extensions.Logging.Abstractions;
using Proto.P4.V1;
using TestSupport;
using SoftTargetKit;
using Xunit;

namespace SoftTarget.Tests.Api;

/// <summary>SoftTarget with mTLS, as infrap4d runs with the certificates of make gen-certs.</summary>
public sealed class SecureTargetTests : IClassFixture<TestCertificates>
{
    private readonly TestCertificates _certificates;

    public SecureTargetTests(TestCertificates certificates)
    {
        _certificates = certificates;
    }

    [Fact]
    public async Task Mtls_ManagerClientCertificateServed_NoCertificateRefused()
    {
        await using var target = SoftTargetProcess.Mtls(_certificates);
        await target.InitializeAsync();
        var port = target.P4RuntimePort;

        // The manager dials localhost, which the infrap4d certificate names.
        var manager = new TlsSettings(TlsMode.Mtls, _certificates.ManagerClient.Certificate, _certificates.ManagerClient.Key, _certificates.CaFile);
        Assert.Equal("1.4.1", await CapabilitiesAsync($"localhost:{port}", manager));
        var anonymous = new TlsSettings(TlsMode.Tls, string.Empty, string.Empty, _certificates.CaFile);
        var refused = await Assert.ThrowsAsync<RpcException>(() => CapabilitiesAsync($"localhost:{port}", anonymous));
        Assert.True(refused.StatusCode is StatusCode.Unavailable or StatusCode.Internal, refused.ToString());
    }

    private static async Task<string> CapabilitiesAsync(string address, TlsSettings settings)
    {
        using var material = new ReloadingTlsMaterial(settings, TimeProvider.System, NullLogger.Instance);
        using var channel = DaemonHost.Tls.GrpcChannels.Create(address, material);
        return (await new P4Runtime.P4RuntimeClient(channel).CapabilitiesAsync(new CapabilitiesRequest(), deadline: DateTime.UtcNow.AddSeconds(10))).P4RuntimeApiVersion;
    }
}
