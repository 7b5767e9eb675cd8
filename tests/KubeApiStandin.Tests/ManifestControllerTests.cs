using k8s;
using TestSupport;
using Xunit;

namespace KubeApiStandin.Tests;

/// <summary>The stand-in fed from YAML files, read back through KubernetesClient as the agent reads it.</summary>
public sealed class ManifestControllerTests : IAsyncLifetime, IDisposable
{
    private const string Web = """
        apiVersion: v1
        kind: Service
        metadata: {name: web}
        spec:
          clusterIP: 10.96.0.100
          ports: [{name: http, protocol: TCP, port: 80, targetPort: 8080}]
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata: {name: web-abc, namespace: default, labels: {kubernetes.io/service-name: web}}
        addressType: IPv4
        ports: [{name: http, protocol: TCP, port: 8080}]
        endpoints:
        - addresses: [10.244.0.11]
          conditions: {ready: true}
        """;

    private const string Node = """
        apiVersion: v1
        kind: Node
        metadata: {name: node-a}
        spec: {podCIDR: 10.244.0.0/24}
        status:
          addresses: [{type: InternalIP, address: 10.10.0.2}]
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("k8sio-manifest-").FullName;
    private readonly StringWriter _output = new();
    private KubeApiServer _server = null!; // set in InitializeAsync
    private IKubernetes _client = null!;

    public async Task InitializeAsync()
    {
        _server = await KubeApiServer.StartAsync().DefaultTimeout();
        _client = _server.CreateClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    public void Dispose() => _output.Dispose();

    [Fact]
    public async Task Reload_Files_ServesTheirObjects()
    {
        using var controller = Controller(("services.yaml", Web), ("node.yaml", Node));

        Assert.True(controller.Reload(), _output.ToString());

        var service = Assert.Single((await _client.CoreV1.ListServiceForAllNamespacesAsync()).Items);
        Assert.Equal(("default", "web", "10.96.0.100"), (service.Metadata.NamespaceProperty, service.Metadata.Name, service.Spec.ClusterIP));
        var slice = Assert.Single((await _client.DiscoveryV1.ListEndpointSliceForAllNamespacesAsync(labelSelector: "kubernetes.io/service-name=web")).Items);
        Assert.Equal("10.244.0.11", Assert.Single(slice.Endpoints).Addresses[0]);
        var node = Assert.Single((await _client.CoreV1.ListNodeAsync(fieldSelector: "metadata.name=node-a")).Items);
        Assert.Equal("10.244.0.0/24", node.Spec.PodCIDR);
        Assert.Contains("ADDED Service default/web", _output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Reload_Unchanged_NoChange()
    {
        using var controller = Controller(("services.yaml", Web));
        controller.Reload();
        var version = _server.ResourceVersion;

        Assert.True(controller.Reload());

        Assert.Equal(version, _server.ResourceVersion);
    }

    [Fact]
    public async Task Reload_ObjectChangedAndOneGone_ModifiedAndDeleted()
    {
        using var controller = Controller(("services.yaml", Web));
        controller.Reload();
        var version = _server.ResourceVersion;
        await File.WriteAllTextAsync(Path.Combine(_directory, "services.yaml"), Web[..Web.IndexOf("---", StringComparison.Ordinal)].Replace("10.96.0.100", "10.96.0.200", StringComparison.Ordinal));

        Assert.True(controller.Reload());

        Assert.Equal(version + 2, _server.ResourceVersion);
        Assert.Equal("10.96.0.200", Assert.Single((await _client.CoreV1.ListServiceForAllNamespacesAsync()).Items).Spec.ClusterIP);
        Assert.Empty((await _client.DiscoveryV1.ListEndpointSliceForAllNamespacesAsync()).Items);
        Assert.Contains("DELETED EndpointSlice default/web-abc", _output.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("  sepc: {}\n", "line")]
    [InlineData("---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n", "apps/v1 Deployment is not served")]
    [InlineData("---\napiVersion: v1\nkind: Service\nmetadata: {namespace: default}\n", "without metadata.name")]
    public async Task Reload_BadFile_RefusedAndObjectsKept(string appended, string expected)
    {
        using var controller = Controller(("services.yaml", Web));
        controller.Reload();
        var version = _server.ResourceVersion;
        await File.AppendAllTextAsync(Path.Combine(_directory, "services.yaml"), "\n" + appended);

        Assert.False(controller.Reload());

        Assert.Equal(version, _server.ResourceVersion);
        Assert.Single((await _client.CoreV1.ListServiceForAllNamespacesAsync()).Items);
        Assert.Contains(expected, _output.ToString(), StringComparison.Ordinal);
        Assert.Contains("the objects stay as they were", _output.ToString(), StringComparison.Ordinal);
    }

    private ManifestController Controller(params (string Name, string Yaml)[] files)
    {
        foreach (var (name, yaml) in files)
        {
            File.WriteAllText(Path.Combine(_directory, name), yaml);
        }

        return new ManifestController(_server, [.. files.Select(f => Path.Combine(_directory, f.Name))], _output, TimeProvider.System);
    }
}
