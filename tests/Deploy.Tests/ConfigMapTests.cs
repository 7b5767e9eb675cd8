using DaemonHost.Configuration;
using DaemonHost.Logging;
using DaemonHost.Tls;
using Deploy.Tests.Manifests;
using k8s.Models;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using TestSupport;
using Xunit;

namespace Deploy.Tests;

/// <summary>
/// The configuration files of the ConfigMaps, read and bound by the daemons' own code: every key is one a
/// daemon reads, the values pass the daemons' validation, and the paths and ports agree with the DaemonSets
/// and Calico's configuration.
/// </summary>
[Collection(RenderedDeployTests.Name)]
public sealed class ConfigMapTests : IDisposable
{
    private const string AgentFile = "infraagent-config.yaml";
    private const string ManagerFile = "inframanager-config.yaml";

    private readonly ManifestSet _manifests;
    private readonly string _directory = Directory.CreateTempSubdirectory("deploy-config-").FullName;

    public ConfigMapTests(RenderedDeploy deploy)
    {
        ArgumentNullException.ThrowIfNull(deploy);
        _manifests = deploy.Manifests;
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("infraagent-config", AgentFile)]
    [InlineData("inframanager-config", ManagerFile)]
    public void ConfigMap_HoldsExactlyTheDaemonsFile(string configMap, string file)
    {
        var data = _manifests.GeneratedConfigMap(configMap).Data;

        Assert.Equal([file], data.Keys);
        Assert.Equal(File.ReadAllText(Path.Combine(RenderedDeploy.DeployDirectory, file)), data[file]);
    }

    [Fact]
    public void AgentFile_SetsOnlyKeysTheAgentReads()
    {
        var unknown = DaemonOptions.FileKeys(Agent()).Where(k => !DaemonOptions.AgentKeys().Contains(k));

        Assert.Empty(unknown);
    }

    [Fact]
    public void ManagerFile_SetsOnlyKeysTheManagerReads()
    {
        var unknown = DaemonOptions.FileKeys(Manager()).Where(k => !DaemonOptions.ManagerKeys().Contains(k));

        Assert.Empty(unknown);
    }

    [Fact]
    public void AgentFile_BindsAndPassesTheAgentsValidation()
    {
        var options = DaemonOptions.Bind(DaemonOptions.AgentOptions, Agent());
        var validator = Activator.CreateInstance(DaemonOptions.AgentOptionsValidator);
        var validate = DaemonOptions.AgentOptionsValidator.GetMethod("Validate");

        var result = Assert.IsType<ValidateOptionsResult>(validate?.Invoke(validator, [null, options]));

        Assert.True(result.Succeeded, result.FailureMessage);
        Assert.Equal("tap", DaemonOptions.Property(options, "InterfaceType"));
        Assert.Equal(true, DaemonOptions.Property(options, "Mtls"));
        Assert.Equal(false, DaemonOptions.Property(options, "Insecure"));
        // No kubeconfig: the agent uses its service account.
        Assert.Equal(string.Empty, DaemonOptions.Property(options, "Kubeconfig"));
        AssertLogging(Agent(), "/var/log/infraagent/infraagent.log");
    }

    [Fact]
    public void AgentFile_PointsAtTheMountedSecretAndTheManager()
    {
        var options = DaemonOptions.Bind(DaemonOptions.AgentOptions, Agent());
        var manager = HostPort.Parse(Manager()["InfraManager:addr"], "InfraManager:addr");

        Assert.Equal(Path.Combine(NodePaths.AgentCertificates, "tls.crt"), DaemonOptions.Property(options, "ClientCert"));
        Assert.Equal(Path.Combine(NodePaths.AgentCertificates, "tls.key"), DaemonOptions.Property(options, "ClientKey"));
        Assert.Equal(Path.Combine(NodePaths.AgentCertificates, "ca.crt"), DaemonOptions.Property(options, "CaCert"));
        Assert.Equal(manager.Port, DaemonOptions.Property(options, "ManagerPort"));
        Assert.Equal(manager.Host, DaemonOptions.Property(options, "ManagerAddr"));
    }

    [Fact]
    public void AgentFile_EndpointsAreTheOnesCalicoAndTheProbesUse()
    {
        var options = DaemonOptions.Bind(DaemonOptions.AgentOptions, Agent());
        var calico = CalicoTests.CalicoPlugin();
        var agent = _manifests.Single<V1DaemonSet>("infraagent-ds").Spec.Template.Spec.Container("agent");
        var health = HostPort.Parse(Assert.IsType<string>(DaemonOptions.Property(options, "HealthAddr")), "healthAddr");

        Assert.Equal(calico["dataplane_options"]!["socket"]!.GetValue<string>(), DaemonOptions.Property(options, "CniAddr"));
        Assert.Equal($"http://{health}/check", Assert.Single(calico["readiness_gates"]!.AsArray())!.GetValue<string>());
        Assert.Equal(health.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), agent.ReadinessProbe.HttpGet.Port.Value);
        Assert.Equal(health.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), agent.LivenessProbe.HttpGet.Port.Value);
    }

    [Fact]
    public void AgentFile_StateAndLogLiveOnTheMountedHostPaths()
    {
        var options = DaemonOptions.Bind(DaemonOptions.AgentOptions, Agent());
        var pod = _manifests.Single<V1DaemonSet>("infraagent-ds").Spec.Template.Spec;
        var agent = pod.Container("agent");

        Assert.StartsWith("/var/lib/cni/infraagent/", Assert.IsType<string>(DaemonOptions.Property(options, "CacheDir")), StringComparison.Ordinal);
        Assert.NotNull(pod.MountAt(agent, "/var/lib/cni/infraagent").Volume.HostPath);
        Assert.NotNull(pod.MountAt(agent, Path.GetDirectoryName(Agent()["LogFile"])!).Volume.HostPath); // LogFile is set: AssertLogging checks it.
    }

    [Fact]
    public void AgentFile_FelixSocketIsWhereTheProxyDialsOnTheSharedHostPath()
    {
        var options = DaemonOptions.Bind(DaemonOptions.AgentOptions, Agent());
        var pod = _manifests.Single<V1DaemonSet>("infraagent-ds").Spec.Template.Spec;
        var socket = Assert.IsType<string>(DaemonOptions.Property(options, "FelixSocket"));

        // felix-api-proxy's default (Felix passes it no arguments), in the host directory calico-node mounts too.
        Assert.Equal("/var/run/calico/felix-dataplane.sock", socket);
        Assert.Equal("/var/run/calico", pod.MountAt(pod.Container("agent"), Path.GetDirectoryName(socket)!).Volume.HostPath.Path);
    }

    [Fact]
    public void ManagerFile_BindsAndPassesTheManagersValidation()
    {
        using var certificates = new TestCertificates();
        var configuration = Manager();
        // The files the configuration names exist in the pod (secrets, the image); here they are stand-ins.
        var withFiles = new ConfigurationBuilder()
            .AddConfiguration(configuration)
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["P4InfoPath"] = Path.Combine(RepoPaths.Root, "k8s_dp", "p4Info.txt"),
                ["InfraManager:clientCert"] = certificates.ManagerClient.Certificate,
                ["InfraManager:clientKey"] = certificates.ManagerClient.Key,
                ["Infrap4dGrpcServer:caCert"] = certificates.CaFile,
                ["Infrap4dGnmiServer:caCert"] = certificates.CaFile,
                ["NODE_IP"] = "192.168.110.5",
            })
            .Build();

        var p4 = DaemonOptions.Load(DaemonOptions.P4RuntimeOptions, withFiles);
        var state = DaemonOptions.Load(DaemonOptions.StateOptions, withFiles);
        var api = DaemonOptions.Bind(DaemonOptions.ManagerApiOptions, configuration.GetSection("InfraManager"));

        Assert.Equal(1UL, DaemonOptions.Property(p4, "DeviceId"));
        Assert.Equal("/var/lib/cni/inframanager", DaemonOptions.Property(state, "StoreDir"));
        Assert.Equal(TlsMode.Mtls, TlsSettings.ParseMode(Assert.IsType<string>(DaemonOptions.Property(api, "Conn")), "InfraManager:conn"));
        Assert.Equal("tap", configuration["InterfaceType"]);
        AssertLogging(configuration, "/var/log/inframanager.log");
    }

    [Fact]
    public void ManagerFile_PathsAreWhereTheDaemonSetAndTheImagePutThem()
    {
        var configuration = Manager();
        var pod = _manifests.Single<V1DaemonSet>("inframanager-ds").Spec.Template.Spec;
        var manager = pod.Container("manager");

        Assert.Equal(Path.Combine(NodePaths.ManagerServerCertificates, "tls.crt"), configuration["InfraManager:serverCert"]);
        Assert.Equal(Path.Combine(NodePaths.ManagerServerCertificates, "tls.key"), configuration["InfraManager:serverKey"]);
        Assert.Equal(Path.Combine(NodePaths.ManagerServerCertificates, "ca.crt"), configuration["InfraManager:caCert"]);
        Assert.Equal(Path.Combine(NodePaths.ManagerClientCertificates, "tls.crt"), configuration["InfraManager:clientCert"]);
        Assert.Equal(Path.Combine(NodePaths.ManagerClientCertificates, "tls.key"), configuration["InfraManager:clientKey"]);
        Assert.Equal(Path.Combine(NodePaths.ManagerClientCertificates, "ca.crt"), configuration["Infrap4dGrpcServer:caCert"]);
        Assert.Equal(Path.Combine(NodePaths.ManagerClientCertificates, "ca.crt"), configuration["Infrap4dGnmiServer:caCert"]);
        Assert.Equal(configuration["StoreDir"], pod.MountAt(manager, "/var/lib/cni/inframanager").Volume.HostPath.Path);
        Assert.Equal(configuration["LogFile"], pod.MountAt(manager, "/var/log/inframanager.log").Volume.HostPath.Path);
        Assert.Contains(configuration["P4InfoPath"], Dockerfile.Load("inframanager.Dockerfile").CopiedTo);
        Assert.NotNull(pod.MountAt(manager, Path.GetDirectoryName(configuration["p4BinPath"])!).Volume.HostPath); // p4BinPath is set in the file.
    }

    [Fact]
    public void ManagerFile_PortsAreTheOnesTheProbesUse()
    {
        var configuration = Manager();
        var manager = _manifests.Single<V1DaemonSet>("inframanager-ds").Spec.Template.Spec.Container("manager");

        Assert.Equal(HostPort.Parse(configuration["InfraManager:addr"], "addr").Port.ToString(System.Globalization.CultureInfo.InvariantCulture), manager.ReadinessProbe.TcpSocket.Port.Value);
        Assert.Equal(HostPort.Parse(configuration["InfraManager:metricsAddr"], "metricsAddr").Port.ToString(System.Globalization.CultureInfo.InvariantCulture), manager.LivenessProbe.HttpGet.Port.Value);
    }

    [Fact]
    public void UnknownKey_IsReported()
    {
        // The check above can fail: a misspelt key is caught, not silently ignored by the binder.
        var path = Path.Combine(_directory, "typo.yaml");
        File.WriteAllText(path, File.ReadAllText(Path.Combine(RenderedDeploy.DeployDirectory, AgentFile)) + "managerPrt: 50002\n");

        var unknown = DaemonOptions.FileKeys(DaemonOptions.Read(path)).Where(k => !DaemonOptions.AgentKeys().Contains(k));

        Assert.Equal(["managerPrt"], unknown);
    }

    private static void AssertLogging(IConfiguration configuration, string logFile)
    {
        var logging = configuration.BindValidated(new LoggingOptions(), static (c, o) => c.Bind(o), new LoggingOptionsValidator());

        Assert.Equal(logFile, logging.LogFile);
    }

    private IConfigurationRoot Agent() => ReadFromConfigMap("infraagent-config", AgentFile);

    private IConfigurationRoot Manager() => ReadFromConfigMap("inframanager-config", ManagerFile);

    /// <summary>The file as the pod sees it (the ConfigMap's data at /etc/infra), read with the daemons' YAML provider.</summary>
    private IConfigurationRoot ReadFromConfigMap(string configMap, string file)
    {
        var path = Path.Combine(_directory, file);
        File.WriteAllText(path, _manifests.GeneratedConfigMap(configMap).Data[file]);
        return DaemonOptions.Read(path);
    }
}
