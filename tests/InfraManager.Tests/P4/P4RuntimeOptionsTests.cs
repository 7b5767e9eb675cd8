using DaemonHost.Configuration;
using DaemonHost.Tls;
using InfraManager.P4;
using Microsoft.Extensions.Configuration;
using TestSupport;
using Xunit;

namespace InfraManager.Tests.P4;

public sealed class P4RuntimeOptionsTests : IClassFixture<TestCertificates>
{
    private readonly TestCertificates _certificates;

    public P4RuntimeOptionsTests(TestCertificates certificates)
    {
        _certificates = certificates;
    }

    /// <summary>The values in order, a later one replacing an earlier one of the same key.</summary>
    private static IConfiguration Configuration(params (string Key, string Value)[] values)
    {
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in values)
        {
            data[key] = value;
        }

        return new ConfigurationBuilder().AddInMemoryCollection(data).Build();
    }

    private static (string, string)[] Insecure(params (string, string)[] more) =>
    [
        ("Infrap4dGrpcServer:conn", "insecure"),
        ("Infrap4dGnmiServer:conn", "insecure"),
        ("P4InfoPath", P4TestSessions.P4InfoFile),
        .. more,
    ];

    [Fact]
    public void New_Defaults_AreTheGoMainBranchDefaults()
    {
        var options = new P4RuntimeOptions();

        Assert.Equal("localhost:9559", options.Infrap4dGrpcServer.Addr);
        Assert.Equal("localhost:9339", options.Infrap4dGnmiServer.Addr);
        Assert.Equal("mtls", options.Infrap4dGrpcServer.Conn);
        Assert.Equal("mtls", options.Infrap4dGnmiServer.Conn);
        Assert.Equal("/etc/pki/inframanager/client/ca.crt", options.Infrap4dGrpcServer.CaCert);
        Assert.Equal("/etc/pki/inframanager/client/tls.crt", options.Client.ClientCert);
        Assert.Equal("/etc/pki/inframanager/client/tls.key", options.Client.ClientKey);
        Assert.Equal(1UL, options.DeviceId);
        Assert.Equal("/share/infra/k8s_dp/p4Info.txt", options.P4InfoPath);
        Assert.Equal("/share/infra/k8s_dp/k8s_dp.pb.bin", options.P4BinPath);
    }

    [Fact]
    public void Load_GoKeysInAnyCase_Bound()
    {
        var options = P4RuntimeOptions.Load(Configuration(Insecure(
            ("infrap4dgrpcserver:ADDR", "10.10.0.2:9600"),
            ("Infrap4dGnmiServer:addr", "[::1]:9340"),
            ("DEVICEID", "7"),
            ("p4BinPath", "/opt/k8s_dp.pb.bin"))));

        Assert.Equal(new HostPort("10.10.0.2", 9600), options.P4RuntimeLink().Address);
        Assert.Equal(TlsMode.Insecure, options.P4RuntimeLink().Tls.Mode);
        Assert.Equal(new HostPort("::1", 9340), options.GnmiLink().Address);
        Assert.Equal(7UL, options.DeviceId);
        Assert.Equal("/opt/k8s_dp.pb.bin", options.P4BinPath);
    }

    [Fact]
    public void Load_Mtls_ClientCertificateFromTheInfraManagerSectionForBothLinks()
    {
        var options = P4RuntimeOptions.Load(Configuration(
            ("P4InfoPath", P4TestSessions.P4InfoFile),
            ("InfraManager:clientCert", _certificates.ManagerClient.Certificate),
            ("InfraManager:clientKey", _certificates.ManagerClient.Key),
            ("Infrap4dGrpcServer:caCert", _certificates.CaFile),
            ("Infrap4dGnmiServer:caCert", _certificates.CaFile)));

        var expected = new TlsSettings(TlsMode.Mtls, _certificates.ManagerClient.Certificate, _certificates.ManagerClient.Key, _certificates.CaFile);
        Assert.Equal(expected, options.P4RuntimeLink().Tls);
        Assert.Equal(expected, options.GnmiLink().Tls);
    }

    [Fact]
    public void Load_Tls_NeedsNoClientCertificate()
    {
        var options = P4RuntimeOptions.Load(Configuration(Insecure(
            ("Infrap4dGrpcServer:conn", "TLS"),
            ("Infrap4dGrpcServer:caCert", _certificates.CaFile),
            ("InfraManager:clientCert", "/nonexistent/tls.crt"))));

        Assert.Equal(new TlsSettings(TlsMode.Tls, string.Empty, string.Empty, _certificates.CaFile), options.P4RuntimeLink().Tls);
    }

    [Fact]
    public void Load_DefaultMtlsWithoutCertificates_NamesTheClientCertificateKey()
    {
        var error = Assert.Throws<DaemonConfigurationException>(() => P4RuntimeOptions.Load(Configuration(("P4InfoPath", P4TestSessions.P4InfoFile))));

        Assert.Equal("InfraManager:clientCert: file /etc/pki/inframanager/client/tls.crt does not exist (make gen-certs writes them)", error.Message);
    }

    [Theory]
    [InlineData("Infrap4dGrpcServer:addr", "nohost", "Infrap4dGrpcServer:addr: 'nohost' is not host:port")]
    [InlineData("Infrap4dGnmiServer:addr", "localhost:99999", "Infrap4dGnmiServer:addr: port in 'localhost:99999' must be 1..65535")]
    [InlineData("Infrap4dGnmiServer:conn", "plain", "Infrap4dGnmiServer:conn: 'plain' is not an authentication type; use insecure, tls or mtls")]
    [InlineData("P4InfoPath", "/nonexistent/p4Info.txt", "P4InfoPath: file /nonexistent/p4Info.txt does not exist")]
    [InlineData("p4BinPath", "", "p4BinPath: a device config file is required")]
    public void Load_BadValue_OneMessageNamingTheKey(string key, string value, string message)
    {
        var error = Assert.Throws<DaemonConfigurationException>(() => P4RuntimeOptions.Load(Configuration(Insecure((key, value)))));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Load_DeviceIdNotANumber_NamesTheKey()
    {
        var error = Assert.Throws<DaemonConfigurationException>(() => P4RuntimeOptions.Load(Configuration(Insecure(("DeviceId", "one")))));

        Assert.Contains("'DeviceId'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_TlsWithoutCa_NamesTheSectionsCaKey()
    {
        var error = Assert.Throws<DaemonConfigurationException>(() => P4RuntimeOptions.Load(Configuration(Insecure(
            ("Infrap4dGnmiServer:conn", "tls"),
            ("Infrap4dGnmiServer:caCert", "/nonexistent/ca.crt")))));

        Assert.Equal("Infrap4dGnmiServer:caCert: file /nonexistent/ca.crt does not exist (make gen-certs writes them)", error.Message);
    }
}
