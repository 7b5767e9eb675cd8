using InfraManager.P4;
using Microsoft.Extensions.Logging.Abstractions;
using Proto.P4.V1;
using TestSupport;
using Xunit;
using static SoftTargetKit.K8sDp;

namespace InfraManager.Tests.P4;

/// <summary>The session and the port lookup over mTLS, as against infrap4d with the certificates of make gen-certs.</summary>
public sealed class P4RuntimeSessionMtlsTests : IClassFixture<TestCertificates>
{
    private readonly TestCertificates _certificates;

    public P4RuntimeSessionMtlsTests(TestCertificates certificates)
    {
        _certificates = certificates;
    }

    [Fact]
    public async Task Start_MtlsTarget_LoadsThePipelineAndWrites()
    {
        var directory = Directory.CreateTempSubdirectory("k8sio-st-").FullName;
        try
        {
            await using var target = SoftTargetKit.SoftTargetProcess.Mtls(_certificates);
            await target.InitializeAsync();
            var (p4RuntimePort, gnmiPort) = (target.P4RuntimePort, target.GnmiPort);
            // The infrap4d certificate names localhost, which is what the manager dials.
            var options = new P4RuntimeOptions
            {
                Infrap4dGrpcServer = new TargetLinkOptions { Addr = $"localhost:{p4RuntimePort}", Conn = "mtls", CaCert = _certificates.CaFile },
                Infrap4dGnmiServer = new TargetLinkOptions { Addr = $"localhost:{gnmiPort}", Conn = "mtls", CaCert = _certificates.CaFile },
                Client = new ClientCertificateOptions { ClientCert = _certificates.ManagerClient.Certificate, ClientKey = _certificates.ManagerClient.Key },
                P4InfoPath = P4TestSessions.P4InfoFile,
                P4BinPath = Path.Combine(directory, "k8s_dp.pb.bin"),
            };
            options.Validate();

            await using var session = await P4TestSessions.StartAsync(options);
            await session.WriteAsync([Insert(PodRoute("10.244.0.6"))], TaskTimeoutExtensions.DefaultTimeoutToken());
            using var lookup = new PortLookup(options, TimeSpan.FromSeconds(10), TimeProvider.System, NullLogger<PortLookup>.Instance);
            var unknown = await Assert.ThrowsAsync<PortLookupException>(() => lookup.PortIdAsync("imnosuchtap", TaskTimeoutExtensions.DefaultTimeoutToken()));

            Assert.True(session.PipelineFreshlyLoaded);
            Assert.Single(await session.ReadAsync([new Entity { TableEntry = new TableEntry() }], TaskTimeoutExtensions.DefaultTimeoutToken()));
            Assert.Equal(Grpc.Core.StatusCode.NotFound, unknown.Code);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
