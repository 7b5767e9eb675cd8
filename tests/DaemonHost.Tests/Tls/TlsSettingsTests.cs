using System.Net.Security;
using DaemonHost.Configuration;
using DaemonHost.Tls;
using Xunit;

namespace DaemonHost.Tests.Tls;

public sealed class TlsSettingsTests
{
    [Theory]
    [InlineData("insecure", TlsMode.Insecure)]
    [InlineData("TLS", TlsMode.Tls)]
    [InlineData("mTLS", TlsMode.Mtls)]
    public void ParseMode_GoValues_AnyCase(string value, TlsMode expected) =>
        Assert.Equal(expected, TlsSettings.ParseMode(value, "InfraManager:conn"));

    [Fact]
    public void ParseMode_Unknown_NamesTheKey()
    {
        var error = Assert.Throws<DaemonConfigurationException>(() => TlsSettings.ParseMode("ssl", "InfraManager:conn"));

        Assert.Equal("InfraManager:conn: 'ssl' is not an authentication type; use insecure, tls or mtls", error.Message);
    }

    [Fact]
    public void ParseCipherSuites_GoDefaultNames_AreKnown()
    {
        var suites = TlsSettings.ParseCipherSuites("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, TLS_AES_256_GCM_SHA384", "k");

        Assert.Equal([TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, TlsCipherSuite.TLS_AES_256_GCM_SHA384], suites);
    }

    [Theory]
    [InlineData("TLS_MADE_UP")]
    [InlineData("4866")]
    public void ParseCipherSuites_Unknown_NamesTheKey(string value)
    {
        var error = Assert.Throws<DaemonConfigurationException>(() => TlsSettings.ParseCipherSuites(value, "InfraManager:ciphersuites"));

        Assert.StartsWith("InfraManager:ciphersuites:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_MtlsServerWithMissingFiles_NamesTheKey()
    {
        var settings = new TlsSettings(TlsMode.Mtls, "/nonexistent/tls.crt", "/nonexistent/tls.key", "/nonexistent/ca.crt");

        var error = Assert.Throws<DaemonConfigurationException>(() => settings.Validate(isServer: true, ("InfraManager:serverCert", "InfraManager:serverKey", "InfraManager:caCert")));

        Assert.StartsWith("InfraManager:serverCert: file /nonexistent/tls.crt does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_Insecure_NeedsNoFiles() =>
        Assert.Same(TlsSettings.Insecure, TlsSettings.Insecure.Validate(isServer: true, ("a", "b", "c")));
}
