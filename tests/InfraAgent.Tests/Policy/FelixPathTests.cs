using InfraAgent.Tests.Node;
using Proto.Felix;
using TestSupport;
using Xunit;

namespace InfraAgent.Tests.Policy;

/// <summary>
/// The Felix path end to end with the published executables: Felix's pipes (FIFOs as fd 3 and 4) into the real
/// felix-api-proxy, its unix socket into the real infraagent, the agent's mTLS channel into the real inframanager,
/// which records Felix's model and says so in its log.
/// </summary>
[Collection(HostNetworkTests.Name)]
public sealed class FelixPathTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("k8sio-felixpath-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task FelixMessages_ThroughTheProxyAndTheAgent_AreRecordedByTheManager_AndAReconnectingProxyIsServed()
    {
        var socket = FelixProxyRun.SocketPathIn(_directory);
        await using var node = await AgentNode.StartAsync(ports: 4, agentArguments: ["--felixSocket", socket]);
        await node.WaitForAgentOutputAsync("Felix socket listening: " + socket);

        await using (var felix = await StartProxyAsync("felix1", socket))
        {
            await WriteAsync(felix, FelixFrames.IpSet(1, "s:web", "10.244.0.5"), FelixFrames.Policy(2, "allow-web"), FelixFrames.Endpoint(3, "default/web", "10.244.0.5", "allow-web"), new ToDataplane { SequenceNumber = 4, InSync = new InSync() });

            await node.WaitForManagerOutputAsync("update IPSet/s:web (");
            await node.WaitForManagerOutputAsync("update ActivePolicy/default/allow-web (");
            await node.WaitForManagerOutputAsync("update WorkloadEndpoint/");
            await node.WaitForAgentOutputAsync("Felix #4: in sync");

            // Felix exits (or restarts its driver): the proxy sees its pipe close and exits.
            await felix.FelixWrites.DisposeAsync();
            Assert.Equal(0, await felix.Process.WaitForExitAsync());
        }

        await node.WaitForAgentOutputAsync("Felix connection 1 closed by the peer after 4 messages");

        // The Go agent never accepted a second connection; here the next driver's messages arrive too.
        await using (var felix = await StartProxyAsync("felix2", socket))
        {
            await WriteAsync(felix, new ToDataplane { SequenceNumber = 1, ActivePolicyRemove = new ActivePolicyRemove { Id = new PolicyID { Tier = "default", Name = "allow-web" } } });

            await node.WaitForManagerOutputAsync("remove ActivePolicy/default/allow-web");
        }

        Assert.DoesNotContain("refused", node.AgentOutput, StringComparison.Ordinal);
    }

    private async Task<FelixProxyRun> StartProxyAsync(string name, string socket)
    {
        var directory = Directory.CreateDirectory(Path.Combine(_directory, name)).FullName;
        var felix = await FelixProxyRun.StartAsync(directory, "--socket", socket);
        await felix.Process.WaitForOutputAsync("connected to the agent at " + socket);
        return felix;
    }

    private static async Task WriteAsync(FelixProxyRun felix, params ToDataplane[] messages)
    {
        foreach (var message in messages)
        {
            await felix.FelixWrites.WriteAsync(FelixFrames.Encode(message));
        }

        await felix.FelixWrites.FlushAsync();
    }
}
