using System.Buffers.Binary;
using System.Net.Sockets;
using Google.Protobuf;
using Grpc.Core;
using InfraAgent.Policy;
using Proto.Felix;
using Proto.Infra;
using TestSupport;
using Xunit;

namespace InfraAgent.Tests.Policy;

/// <summary>
/// The policy server on a real unix socket, fed length-prefixed ToDataplane messages as Felix (through
/// felix-api-proxy) writes them, relaying to a real gRPC manager that records the calls.
/// </summary>
public sealed class PolicyServerTests
{
    [Fact]
    public async Task Messages_ReachTheManagerAsTheirRpcsInOrder()
    {
        await using var run = await PolicyServerRun.StartAsync();
        var messages = EveryRelayedPayload();
        using var felix = await run.ConnectAsync();

        foreach (var message in messages)
        {
            await felix.SendAsync(FelixFrames.Encode(message.Message));
        }

        await run.WaitForCallsAsync(messages.Count);
        Assert.Equal(messages.Select(m => m.Rpc), run.Rpcs);
        // Each request is the payload Felix sent, unchanged.
        Assert.Equal(messages.Select(m => Payload(m.Message)), run.FelixCalls.Select(c => c.Request.ToByteString()));
    }

    [Fact]
    public async Task InSyncConfigAndIpamPools_AreLoggedNotRelayed()
    {
        await using var run = await PolicyServerRun.StartAsync();
        using var felix = await run.ConnectAsync();
        var config = new ConfigUpdate();
        config.Config.Add("LogSeverityScreen", "Info");

        await felix.SendAsync(FelixFrames.Encode(new ToDataplane { SequenceNumber = 1, ConfigUpdate = config }));
        await felix.SendAsync(FelixFrames.Encode(new ToDataplane { SequenceNumber = 2, IpamPoolUpdate = new IPAMPoolUpdate { Id = "pool1" } }));
        await felix.SendAsync(FelixFrames.Encode(new ToDataplane { SequenceNumber = 3, InSync = new InSync() }));
        await felix.SendAsync(FelixFrames.Encode(FelixFrames.IpSet(4, "s:after")));

        await run.WaitForCallsAsync(1);
        Assert.Equal(["UpdateIPSet"], run.Rpcs);
        Assert.Contains("Information: Felix #1: configuration with 1 settings", run.Log.Lines);
        Assert.Contains("Information: Felix #3: in sync", run.Log.Lines);
        Assert.Contains("Debug: Felix #2 IPAMPoolUpdate pool1: the manager has no RPC for it; not relayed", run.Log.Lines);
    }

    [Fact]
    public async Task UnknownPayload_IsAWarningAndTheConnectionGoesOn()
    {
        await using var run = await PolicyServerRun.StartAsync();
        using var felix = await run.ConnectAsync();
        // A newer Felix's payload (field 99, a length-delimited message) beside sequence_number 7.
        var unknown = new ToDataplane { SequenceNumber = 7 }.ToByteArray().Concat(new byte[] { 0x9A, 0x06, 0x02, 0x08, 0x01 }).ToArray();

        await felix.SendAsync(FelixFrames.Frame(unknown));
        await felix.SendAsync(FelixFrames.Encode(FelixFrames.IpSet(8, "s:next")));

        await run.WaitForCallsAsync(1);
        Assert.Contains(run.Log.Lines, l => l.StartsWith("Warning: Felix #7: unhandled message from Felix", StringComparison.Ordinal));
        Assert.Contains("infraagent_felix_messages_total{type=\"unknown\",result=\"logged\"} 1", await run.MetricsAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SuccessiveConnections_AreEachServed()
    {
        await using var run = await PolicyServerRun.StartAsync();

        for (var i = 1; i <= 3; i++)
        {
            using var felix = await run.ConnectAsync();
            await felix.SendAsync(FelixFrames.Encode(FelixFrames.IpSet((ulong)i, $"s:set{i}")));
            await run.WaitForCallsAsync(i);
            felix.Shutdown(SocketShutdown.Both);
            await run.WaitForLogAsync($"Felix connection {i} closed by the peer after 1 messages");
        }

        Assert.Equal(["s:set1", "s:set2", "s:set3"], run.FelixCalls.Select(c => ((IPSetUpdate)c.Request).Id));
    }

    [Fact]
    public async Task ANewConnectionsSync_RemovesAtTheManagerWhatItNoLongerHas_EndpointsFirst()
    {
        await using var run = await PolicyServerRun.StartAsync();
        using (var felix = await run.ConnectAsync())
        {
            foreach (var message in new[] { FelixFrames.IpSet(1, "s:web"), FelixFrames.IpSet(2, "s:gone"), FelixFrames.Policy(3, "allow-web"), FelixFrames.Endpoint(4, "default/web", "10.244.0.5", "allow-web"), new ToDataplane { SequenceNumber = 5, InSync = new InSync() } })
            {
                await felix.SendAsync(FelixFrames.Encode(message));
            }

            await run.WaitForCallsAsync(4);
        }

        // Felix restarted while the pod and one set went away: its new sync no longer holds them.
        using var again = await run.ConnectAsync();
        await again.SendAsync(FelixFrames.Encode(FelixFrames.IpSet(1, "s:web")));
        await again.SendAsync(FelixFrames.Encode(FelixFrames.Policy(2, "allow-web")));
        await again.SendAsync(FelixFrames.Encode(new ToDataplane { SequenceNumber = 3, InSync = new InSync() }));

        await run.WaitForCallsAsync(8);
        Assert.Equal(["RemoveLocalEndpoint", "RemoveIPSet"], run.Rpcs.Skip(6));
        Assert.Equal("default/web", ((WorkloadEndpointRemove)run.FelixCalls[6].Request).Id.WorkloadId);
        Assert.Equal("s:gone", ((IPSetRemove)run.FelixCalls[7].Request).Id);
        Assert.Contains("Information: Felix #3: in sync without IPSetRemove s:gone, which the manager still had; removing it there", run.Log.Lines);

        // Removed once: a third sync with the same content removes nothing more.
        await again.SendAsync(FelixFrames.Encode(FelixFrames.IpSet(4, "s:web")));
        await run.WaitForCallsAsync(9);
        Assert.Equal(9, run.FelixCalls.Count);
    }

    [Fact]
    public void FelixItems_SurviveARestartOfTheAgent()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("k8sio-items-").FullName, "felix", "items");
        try
        {
            var items = new FelixItems(path);
            items.Took(FelixFrames.Policy(1, "p"), persist: true);
            items.Took(FelixFrames.IpSet(2, "s:a"), persist: false);
            items.Took(new ToDataplane { IpsetRemove = new IPSetRemove { Id = "s:a" } }, persist: true);

            var stale = new FelixItems(path).Stale(new HashSet<string>());

            Assert.Equal("p", Assert.Single(stale).ActivePolicyRemove.Id.Name);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(Path.GetDirectoryName(path))!, recursive: true);
        }
    }

    [Fact]
    public async Task ConcurrentConnections_AreHandledIndependently()
    {
        await using var run = await PolicyServerRun.StartAsync();
        using var first = await run.ConnectAsync();
        using var second = await run.ConnectAsync();
        var frame = FelixFrames.Encode(FelixFrames.IpSet(1, "s:first-1"));

        // The first connection stops in the middle of a frame; the second is served meanwhile.
        await first.SendAsync(frame.AsMemory(0, 5));
        await second.SendAsync(FelixFrames.Encode(FelixFrames.IpSet(1, "s:second-1")));
        await second.SendAsync(FelixFrames.Encode(FelixFrames.IpSet(2, "s:second-2")));
        await run.WaitForCallsAsync(2);
        await first.SendAsync(frame.AsMemory(5));
        await first.SendAsync(FelixFrames.Encode(FelixFrames.IpSet(2, "s:first-2")));
        await run.WaitForCallsAsync(4);

        Assert.Equal(["s:second-1", "s:second-2", "s:first-1", "s:first-2"], run.FelixCalls.Select(c => ((IPSetUpdate)c.Request).Id));
    }

    public static TheoryData<string, byte[], string> BadFrames => new()
    {
        { "absurd length", LengthOnly(1UL << 40), "length 1099511627776 is over the 67108864-byte limit" },
        { "just over the limit", LengthOnly((64UL * 1024 * 1024) + 1), "length 67108865 is over the 67108864-byte limit" },
        { "not a ToDataplane", FelixFrames.Frame([0xFF, 0xFF, 0xFF, 0xFF, 0xFF]), "frame 2: 5 bytes that are not a felix.ToDataplane" },
    };

    [Theory]
    [MemberData(nameof(BadFrames))]
    public async Task BadFrame_ClosesOnlyThatConnection(string what, byte[] frame, string logged)
    {
        ArgumentNullException.ThrowIfNull(frame);
        await using var run = await PolicyServerRun.StartAsync();
        using var other = await run.ConnectAsync();
        using var felix = await run.ConnectAsync();
        await felix.SendAsync(FelixFrames.Encode(FelixFrames.IpSet(1, "s:before")));

        await felix.SendAsync(frame);

        Assert.Equal(0, await felix.ReceiveAsync(new byte[1]).DefaultTimeout()); // the server closed it
        Assert.True(run.Log.Lines.Any(l => l.StartsWith("Error: Felix connection 2: ", StringComparison.Ordinal) && l.Contains(logged, StringComparison.Ordinal)), $"{what}: '{logged}' not logged:\n{string.Join("\n", run.Log.Lines)}");
        // The connection that was open goes on, and the next one is accepted.
        await other.SendAsync(FelixFrames.Encode(FelixFrames.IpSet(1, "s:other")));
        await run.WaitForCallsAsync(2); // two connections are not ordered with each other
        using var next = await run.ConnectAsync();
        await next.SendAsync(FelixFrames.Encode(FelixFrames.IpSet(1, "s:next")));
        await run.WaitForCallsAsync(3);
        Assert.Equal(["s:before", "s:other", "s:next"], run.FelixCalls.Select(c => ((IPSetUpdate)c.Request).Id));
        Assert.Contains("infraagent_felix_connections_total{end=\"bad_frame\"} 1", await run.MetricsAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ManagerRefusal_IsLoggedCountedAndTheNextMessagesFollow()
    {
        await using var run = await PolicyServerRun.StartAsync();
        run.Manager!.FelixAnswer = (_, request) => request switch
        {
            ActivePolicyUpdate { Id.Name: "rejected" } => throw new RpcException(new Status(StatusCode.InvalidArgument, "policy.inbound_rules[0]: cannot be expressed")),
            ActivePolicyUpdate { Id.Name: "failed" } => new Reply { Successful = false, ErrorMessage = "table full" },
            _ => null,
        };
        using var felix = await run.ConnectAsync();

        foreach (var message in new[] { FelixFrames.Policy(1, "rejected"), FelixFrames.Policy(2, "failed"), FelixFrames.Policy(3, "fine"), FelixFrames.Endpoint(4, "default/web", "10.244.0.5", "default/fine") })
        {
            await felix.SendAsync(FelixFrames.Encode(message));
        }

        await run.WaitForCallsAsync(4);
        Assert.Equal(["ActivePolicyUpdate", "ActivePolicyUpdate", "ActivePolicyUpdate", "UpdateLocalEndpoint"], run.Rpcs);
        Assert.Contains("Error: Felix #1 ActivePolicyUpdate default/rejected: the manager refused ActivePolicyUpdate: InvalidArgument: policy.inbound_rules[0]: cannot be expressed; going on with the next message", run.Log.Lines);
        Assert.Contains("Error: Felix #2 ActivePolicyUpdate default/failed: the manager refused ActivePolicyUpdate: table full; going on with the next message", run.Log.Lines);
        var metrics = await run.MetricsAsync();
        Assert.Contains("infraagent_felix_messages_total{type=\"ActivePolicyUpdate\",result=\"refused\"} 2", metrics, StringComparison.Ordinal);
        Assert.Contains("infraagent_felix_messages_total{type=\"ActivePolicyUpdate\",result=\"relayed\"} 1", metrics, StringComparison.Ordinal);
        // The connection was kept.
        await felix.SendAsync(FelixFrames.Encode(FelixFrames.IpSet(5, "s:still-open")));
        await run.WaitForCallsAsync(5);
    }

    [Fact]
    public async Task ManagerRestart_LosesNothing()
    {
        await using var run = await PolicyServerRun.StartAsync();
        using var felix = await run.ConnectAsync();
        var port = run.Manager!.Port;
        await felix.SendAsync(FelixFrames.Encode(FelixFrames.IpSet(1, "s:1")));
        await run.WaitForCallsAsync(1);

        await run.StopManagerAsync();
        for (var i = 2; i <= 5; i++)
        {
            await felix.SendAsync(FelixFrames.Encode(FelixFrames.IpSet((ulong)i, $"s:{i}")));
        }

        await run.WaitForLogAsync("Felix #2 IPSetUpdate s:2: manager unreachable for UpdateIPSet (Unavailable");
        await Task.Delay(TimeSpan.FromMilliseconds(500)); // a few retries fail while it is down
        await run.StartManagerAsync(port);
        await run.WaitForCallsAsync(5);

        Assert.Equal(["s:1", "s:2", "s:3", "s:4", "s:5"], run.FelixCalls.Select(c => ((IPSetUpdate)c.Request).Id));
        Assert.Equal(["s:2", "s:3", "s:4", "s:5"], run.Manager!.FelixCalls.Select(c => ((IPSetUpdate)c.Request).Id));
        Assert.Contains(run.Log.Lines, l => l.StartsWith("Information: Felix #2 IPSetUpdate s:2: UpdateIPSet done after ", StringComparison.Ordinal));
        Assert.Matches(@"infraagent_felix_manager_retries_total\{type=""IPSetUpdate""\} [1-9]", await run.MetricsAsync());
    }

    [Fact]
    public async Task Start_ReplacesAStaleSocketFileAndStop_RemovesIt()
    {
        string? path = null;
        var run = await PolicyServerRun.StartAsync(socketPath =>
        {
            path = socketPath;
            Directory.CreateDirectory(Path.GetDirectoryName(socketPath)!);
            File.WriteAllText(socketPath, "left by a crashed agent");
        });
        await using (run)
        {
            using var felix = await run.ConnectAsync();
            await felix.SendAsync(FelixFrames.Encode(FelixFrames.IpSet(1, "s:1")));
            await run.WaitForCallsAsync(1);

            await run.Server.StopAsync(CancellationToken.None).DefaultTimeout();

            Assert.False(File.Exists(path));
            Assert.Equal(0, await felix.ReceiveAsync(new byte[1]).DefaultTimeout()); // its connections end too
        }
    }

    private static ByteString Payload(ToDataplane message)
    {
        // The oneof payload's own bytes: field 15 (sequence_number) cleared, the tag and length stripped.
        var copy = message.Clone();
        copy.SequenceNumber = 0;
        var input = new CodedInputStream(copy.ToByteArray());
        input.ReadTag();
        return input.ReadBytes();
    }

    private static byte[] LengthOnly(ulong length)
    {
        var frame = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(frame, length);
        return frame;
    }

    /// <summary>Every payload that has a manager RPC (reference-behaviour.md 6.9, plus Wireguard and GlobalBGPConfig), with it.</summary>
    private static List<(ToDataplane Message, string Rpc)> EveryRelayedPayload()
    {
        var list = new List<(ToDataplane, string)>
        {
            (FelixFrames.IpSet(0, "s:web", "10.244.0.5"), "UpdateIPSet"),
            (new ToDataplane { IpsetDeltaUpdate = new IPSetDeltaUpdate { Id = "s:web", AddedMembers = { "10.244.0.6" } } }, "UpdateIPSetDelta"),
            (new ToDataplane { ActiveProfileUpdate = new ActiveProfileUpdate { Id = new ProfileID { Name = "kns.default" }, Profile = new Profile() } }, "UpdateActiveProfile"),
            (FelixFrames.Policy(0, "allow-web"), "ActivePolicyUpdate"),
            (new ToDataplane { HostEndpointUpdate = new HostEndpointUpdate { Id = new HostEndpointID { EndpointId = "eth0" }, Endpoint = new HostEndpoint { Name = "eth0" } } }, "UpdateHostEndpoint"),
            (FelixFrames.Endpoint(0, "default/web", "10.244.0.5", "default/allow-web"), "UpdateLocalEndpoint"),
            (new ToDataplane { HostMetadataUpdate = new HostMetadataUpdate { Hostname = "node-a", Ipv4Addr = "10.10.0.2" } }, "UpdateHostMetaData"),
            (new ToDataplane { ServiceAccountUpdate = new ServiceAccountUpdate { Id = new ServiceAccountID { Namespace = "default", Name = "web" } } }, "UpdateServiceAccount"),
            (new ToDataplane { NamespaceUpdate = new NamespaceUpdate { Id = new NamespaceID { Name = "default" }, Labels = { ["team"] = "web" } } }, "UpdateNamespace"),
            (new ToDataplane { RouteUpdate = new RouteUpdate { Dst = "10.244.1.0/24", DstNodeName = "node-b" } }, "UpdateRoute"),
            (new ToDataplane { VtepUpdate = new VXLANTunnelEndpointUpdate { Node = "node-b", Mac = "66:00:00:00:00:01" } }, "UpdateVXLANTunnelEndpoint"),
            (new ToDataplane { WireguardEndpointUpdate = new WireguardEndpointUpdate { Hostname = "node-b", PublicKey = "key" } }, "UpdateWireguardEndpoint"),
            (new ToDataplane { GlobalBgpConfigUpdate = new GlobalBGPConfigUpdate() }, "UpdateGlobalBGPConfig"),
            (new ToDataplane { WireguardEndpointRemove = new WireguardEndpointRemove { Hostname = "node-b" } }, "RemoveWireguardEndpoint"),
            (new ToDataplane { VtepRemove = new VXLANTunnelEndpointRemove { Node = "node-b" } }, "RemoveVXLANTunnelEndpoint"),
            (new ToDataplane { RouteRemove = new RouteRemove { Dst = "10.244.1.0/24" } }, "RemoveRoute"),
            (new ToDataplane { NamespaceRemove = new NamespaceRemove { Id = new NamespaceID { Name = "default" } } }, "RemoveNamespace"),
            (new ToDataplane { ServiceAccountRemove = new ServiceAccountRemove { Id = new ServiceAccountID { Namespace = "default", Name = "web" } } }, "RemoveServiceAccount"),
            (new ToDataplane { HostMetadataRemove = new HostMetadataRemove { Hostname = "node-a" } }, "RemoveHostMetaData"),
            (new ToDataplane { WorkloadEndpointRemove = new WorkloadEndpointRemove { Id = new WorkloadEndpointID { OrchestratorId = "k8s", WorkloadId = "default/web", EndpointId = "eth0" } } }, "RemoveLocalEndpoint"),
            (new ToDataplane { HostEndpointRemove = new HostEndpointRemove { Id = new HostEndpointID { EndpointId = "eth0" } } }, "RemoveHostEndpoint"),
            (new ToDataplane { ActivePolicyRemove = new ActivePolicyRemove { Id = new PolicyID { Tier = "default", Name = "allow-web" } } }, "ActivePolicyRemove"),
            (new ToDataplane { ActiveProfileRemove = new ActiveProfileRemove { Id = new ProfileID { Name = "kns.default" } } }, "RemoveActiveProfile"),
            (new ToDataplane { IpsetRemove = new IPSetRemove { Id = "s:web" } }, "RemoveIPSet"),
        };
        for (var i = 0; i < list.Count; i++)
        {
            list[i].Item1.SequenceNumber = (ulong)i + 1;
        }

        return list;
    }
}
