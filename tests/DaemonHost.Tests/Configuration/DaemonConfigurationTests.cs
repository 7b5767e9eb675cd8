using DaemonHost.Configuration;
using DaemonHost.Logging;
using Microsoft.Extensions.Configuration;
using Xunit;

namespace DaemonHost.Tests.Configuration;

public sealed class DaemonConfigurationTests : IDisposable
{
    private static readonly DaemonFlag[] Flags =
    [
        new("addr", "InfraManager:addr", "address"),
        new("log-level", "LogLevel", "level"),
    ];

    private readonly string _directory = Directory.CreateTempSubdirectory("k8sio-config-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string WriteFile(string yaml)
    {
        var path = Path.Combine(_directory, "config.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    [Fact]
    public void Load_GoStyleYaml_NestedKeysAreCaseInsensitive()
    {
        var file = WriteFile("GrpcServer:\n  addr: localhost:9559\nDeviceId: 1\nInfraManager:\n  addr: 127.0.0.1:50002\n  ciphersuites:\n    - TLS_AES_256_GCM_SHA384\n");

        var configuration = DaemonConfiguration.Load(["--config", file], "/nonexistent.yaml", Flags);

        Assert.Equal("localhost:9559", configuration["grpcserver:ADDR"]);
        Assert.Equal("1", configuration["deviceid"]);
        Assert.Equal("TLS_AES_256_GCM_SHA384", configuration["InfraManager:ciphersuites:0"]);
    }

    [Fact]
    public void Load_FlagsOverrideEnvironmentOverrideFile()
    {
        var file = WriteFile("InfraManager:\n  addr: 127.0.0.1:1\n  conn: tls\nK8sioTestOnlyKey: from-file\n");
        Environment.SetEnvironmentVariable("INFRAMANAGER__CONN", "insecure");
        Environment.SetEnvironmentVariable("K8SIOTESTONLYKEY", "from-env");
        try
        {
            var configuration = DaemonConfiguration.Load(["--config", file, "--addr=127.0.0.1:2"], "/nonexistent.yaml", Flags);

            Assert.Equal("127.0.0.1:2", configuration["InfraManager:addr"]);
            Assert.Equal("insecure", configuration["InfraManager:conn"]);
            Assert.Equal("from-env", configuration["K8sioTestOnlyKey"]);
        }
        finally
        {
            Environment.SetEnvironmentVariable("INFRAMANAGER__CONN", null);
            Environment.SetEnvironmentVariable("K8SIOTESTONLYKEY", null);
        }
    }

    [Fact]
    public void Load_MissingDefaultFile_UsesDefaults()
    {
        var configuration = DaemonConfiguration.Load([], Path.Combine(_directory, "absent.yaml"), Flags);

        Assert.Null(configuration["InfraManager:addr"]);
    }

    [Fact]
    public void Load_MissingExplicitFile_NamesTheFlag()
    {
        var error = Assert.Throws<DaemonConfigurationException>(() => DaemonConfiguration.Load(["--config", Path.Combine(_directory, "absent.yaml")], "/x", Flags));

        Assert.StartsWith("--config: file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MalformedYaml_OneLineWithFileAndLine()
    {
        var file = WriteFile("LogLevel: Debug\nInfraManager:\n  addr: [127.0.0.1\n");

        var error = Assert.Throws<DaemonConfigurationException>(() => DaemonConfiguration.Load(["--config", file], "/x", Flags));

        Assert.Contains(file, error.Message, StringComparison.Ordinal);
        Assert.Contains("line ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Load_DuplicateKey_IsAnError()
    {
        var file = WriteFile("LogLevel: Debug\nLogLevel: Info\n");

        var error = Assert.Throws<DaemonConfigurationException>(() => DaemonConfiguration.Load(["--config", file], "/x", Flags));

        Assert.Contains("LogLevel", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--bogus", "unknown flag '--bogus'")]
    [InlineData("--addr", "--addr: needs a value")]
    public void Load_BadCommandLine_NamesTheFlag(string argument, string expected)
    {
        var error = Assert.Throws<DaemonConfigurationException>(() => DaemonConfiguration.Load([argument], "/x", Flags));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BindValidated_BadNumber_NamesTheKey()
    {
        var file = WriteFile("Port: ninety\n");
        var configuration = DaemonConfiguration.Load(["--config", file], "/x", Flags);

        var error = Assert.Throws<DaemonConfigurationException>(() => configuration.BindValidated(new PortOptions(), static (c, o) => c.Bind(o)));

        Assert.Contains("'Port'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Debug")]
    [InlineData("info")]
    [InlineData("Warn")]
    [InlineData("Panic")]
    [InlineData("Trace")]
    public void LoggingOptions_KnownLevels_Validate(string level)
    {
        var result = new LoggingOptionsValidator().Validate(null, new LoggingOptions { LogLevel = level });

        Assert.True(result.Succeeded);
    }

    [Fact]
    public void LoggingOptions_UnknownLevel_NamesKeyAndValue()
    {
        var configuration = DaemonConfiguration.Load(["--log-level", "Loud"], "/x", Flags);

        var error = Assert.Throws<DaemonConfigurationException>(() => configuration.BindValidated(new LoggingOptions(), static (c, o) => c.Bind(o), new LoggingOptionsValidator()));

        Assert.StartsWith("LogLevel: 'Loud'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1:50002", "127.0.0.1", 50002)]
    [InlineData("localhost:9559", "localhost", 9559)]
    [InlineData("[::1]:9339", "::1", 9339)]
    public void HostPort_Parses(string text, string host, int port)
    {
        Assert.Equal(new HostPort(host, port), HostPort.Parse(text, "k"));
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.1:0")]
    [InlineData("127.0.0.1:65536")]
    [InlineData(":50002")]
    [InlineData("bad host:1")]
    public void HostPort_Rejects_NamingTheKey(string text)
    {
        var error = Assert.Throws<DaemonConfigurationException>(() => HostPort.Parse(text, "InfraManager:addr"));

        Assert.StartsWith("InfraManager:addr:", error.Message, StringComparison.Ordinal);
    }

    internal sealed class PortOptions
    {
        public int Port { get; set; }
    }
}
