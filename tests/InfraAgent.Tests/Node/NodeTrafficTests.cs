using System.Globalization;
using Grpc.Core;
using Proto.P4.V1;
using SoftTargetKit;
using TestSupport;
using TestSupport.Network;
using Xunit;

namespace InfraAgent.Tests.Node;

/// <summary>
/// The whole node end to end (issue 7): pods made through the agent's CNI API as Calico makes them,
/// services written to the Kubernetes API as kubectl would, the agent's watcher and the manager
/// programming SoftTarget, and real traffic between the pods' network namespaces.
/// </summary>
[Collection(HostNetworkTests.Name)]
public sealed class NodeTrafficTests
{
    private const string Client = "10.244.0.20";
    private const string Vip = "10.96.0.10";

    [Fact]
    public async Task TcpService_ThreeBackends_ConnectionsSpreadStayOnOneBackendAndAnswerFromTheVip()
    {
        await using var node = await TrafficNode.StartAsync();
        await node.AddPodAsync(Client);
        string[] backends = ["10.244.0.21", "10.244.0.22", "10.244.0.23"];
        foreach (var (ip, i) in backends.Select((ip, i) => (ip, i)))
        {
            await node.AddPodAsync(ip);
            node.Serve(ip, "b" + i.ToString(CultureInfo.InvariantCulture), 8080);
        }

        node.ApplyService("web", Vip, 80, "TCP", backends);
        await node.WaitForBackendsAsync(Vip, 80, "TCP", 3);

        var seen = new Dictionary<string, int>();
        for (var i = 0; i < 30; i++)
        {
            // Every line of a connection comes from one backend, through the VIP (socat accepts nothing else).
            var (backend, output) = await node.TcpExchangeAsync(Client, Vip, 80);
            Assert.True(backend is not null, $"connection {i}: {output}\n{node.Node.Logs}");
            seen[backend] = seen.GetValueOrDefault(backend) + 1;
        }

        Assert.Equal(["b0", "b1", "b2"], seen.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task UdpService_DnsLikeQueries_EachAnsweredFromTheVipByABackend()
    {
        await using var node = await TrafficNode.StartAsync();
        await node.AddPodAsync(Client);
        string[] backends = ["10.244.0.31", "10.244.0.32"];
        foreach (var (ip, i) in backends.Select((ip, i) => (ip, i)))
        {
            await node.AddPodAsync(ip);
            node.Serve(ip, "dns" + i.ToString(CultureInfo.InvariantCulture), 5353, "UDP");
        }

        node.ApplyService("dns", Vip, 53, "UDP", backends);
        await node.WaitForBackendsAsync(Vip, 53, "UDP", 2);

        var seen = new HashSet<string>();
        for (var i = 0; i < 16; i++)
        {
            var (backend, output) = await node.UdpExchangeAsync(Client, Vip, 53, "q" + i.ToString(CultureInfo.InvariantCulture));
            Assert.True(backend is not null, $"query {i}: {output}\n{node.Node.Logs}");
            seen.Add(backend);
        }

        Assert.Equal(["dns0", "dns1"], seen.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ScaleDownAndUp_LongConnectionSurvivesOnItsBackend_NewConnectionsUseOnlyLiveBackends()
    {
        await using var node = await TrafficNode.StartAsync();
        await node.AddPodAsync(Client);
        var names = new Dictionary<string, string> { ["10.244.0.41"] = "b1", ["10.244.0.42"] = "b2", ["10.244.0.43"] = "b3", ["10.244.0.44"] = "b4" };
        foreach (var (ip, name) in names)
        {
            await node.AddPodAsync(ip);
            node.Serve(ip, name, 8080);
        }

        node.ApplyService("web", Vip, 80, "TCP", "10.244.0.41", "10.244.0.42", "10.244.0.43");
        await node.WaitForBackendsAsync(Vip, 80, "TCP", 3);

        // A long connection: socat reads its lines from a FIFO the test writes when it wants.
        var directory = Directory.CreateTempSubdirectory("k8sio-long-").FullName;
        try
        {
            var fifo = Path.Combine(directory, "lines");
            await HostCommands.RunAsync("mkfifo", fifo);
            await using var connection = DaemonProcess.StartProgram("ip", ["netns", "exec", node.Pods[Client].Name, "sh", "-c", $"exec socat -T 120 - TCP:{Vip}:80 < {fifo}"]);
            await using var lines = await Task.Run(() => new StreamWriter(new FileStream(fifo, FileMode.Open, FileAccess.Write)) { AutoFlush = true }).DefaultTimeout();
            await lines.WriteLineAsync("first");
            await connection.WaitForOutputAsync(" first");
            var pinned = connection.Output.Trim().Split(' ')[0];
            var kept = names.Single(n => n.Value == pinned).Key;

            // Down to two: one of the others goes, the connection's backend stays.
            var removed = names.Keys.First(ip => ip != kept && ip != "10.244.0.44");
            string[] live = [kept, names.Keys.First(ip => ip != kept && ip != removed && ip != "10.244.0.44")];
            node.ApplyBackends("web", "TCP", live);
            await node.WaitForBackendsAsync(Vip, 80, "TCP", 2);
            await lines.WriteLineAsync("second");
            await connection.WaitForOutputAsync($"{pinned} second");
            var afterDown = await BackendsOfNewConnectionsAsync(node, 16);
            Assert.Equal(live.Select(ip => names[ip]).Order(StringComparer.Ordinal), afterDown.Order(StringComparer.Ordinal));

            // Up to three with a new backend: the connection still answers from its own.
            node.ApplyBackends("web", "TCP", [.. live, "10.244.0.44"]);
            await node.WaitForBackendsAsync(Vip, 80, "TCP", 3);
            await lines.WriteLineAsync("third");
            await connection.WaitForOutputAsync($"{pinned} third");
            var afterUp = await BackendsOfNewConnectionsAsync(node, 30);
            Assert.Equal(live.Select(ip => names[ip]).Append("b4").Order(StringComparer.Ordinal), afterUp.Order(StringComparer.Ordinal));
            Assert.DoesNotContain(names[removed], afterUp);
            Assert.Equal([$"{pinned} first", $"{pinned} second", $"{pinned} third"], connection.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task DeletePodAndService_TheirEntriesLeaveTheTarget()
    {
        await using var node = await TrafficNode.StartAsync();
        var hostOnly = await node.RoutedAddressesAsync();
        await node.AddPodAsync(Client);
        await node.AddPodAsync("10.244.0.51");
        await node.AddPodAsync("10.244.0.52");
        node.ApplyService("web", Vip, 80, "TCP", "10.244.0.51", "10.244.0.52");
        await node.WaitForBackendsAsync(Vip, 80, "TCP", 2);
        string[] serviceTables = ["tx_balance_tcp", "write_dest_ip_table", "write_source_ip_table", "set_meta_tcp"];
        foreach (var table in serviceTables)
        {
            Assert.NotEmpty(await ReadTableAsync(node, table));
        }

        await node.DeletePodAsync("10.244.0.52");

        Assert.Equal(hostOnly.Concat([Client, "10.244.0.51"]).Order(StringComparer.Ordinal), await node.RoutedAddressesAsync());

        node.DeleteService("web");
        await node.WaitForBackendsAsync(Vip, 80, "TCP", 0);
        await WaitUntilAsync(async () => (await Task.WhenAll(serviceTables.Select(t => ReadTableAsync(node, t)))).All(e => e.Count == 0), node);
        var profile = K8sDp.Names.ActionProfile("as_sl3_tcp").Id;
        Assert.Empty(await node.ReadAsync(new Entity { ActionProfileMember = new ActionProfileMember { ActionProfileId = profile } }));
        Assert.Empty(await node.ReadAsync(new Entity { ActionProfileGroup = new ActionProfileGroup { ActionProfileId = profile } }));
        Assert.Equal(hostOnly.Concat([Client, "10.244.0.51"]).Order(StringComparer.Ordinal), await node.RoutedAddressesAsync());
    }

    /// <summary>
    /// The agent executable (Native AOT) through the API server's bad days: its watches expire (410 Gone,
    /// history compacted) and later break without a word; each time it lists again and the next
    /// changes still reach the target.
    /// </summary>
    [Fact]
    public async Task WatchesExpireAndConnectionsDrop_AgentListsAgainAndKeepsProgramming()
    {
        await using var node = await TrafficNode.StartAsync(ports: 4);
        node.ApplyService("web", Vip, 80, "TCP", "10.244.0.61", "10.244.0.62", "10.244.0.63");
        await node.WaitForBackendsAsync(Vip, 80, "TCP", 3);
        var lists = node.Api.Lists(KubeApiStandin.ResourceKind.EndpointSlices);

        node.Api.ExpireWatches();
        node.ApplyBackends("web", "TCP", "10.244.0.61", "10.244.0.62");
        await node.WaitForBackendsAsync(Vip, 80, "TCP", 2);
        Assert.True(node.Api.Lists(KubeApiStandin.ResourceKind.EndpointSlices) > lists, "no list after the 410\n" + node.Node.Logs);

        node.Api.DropConnections();
        node.ApplyBackends("web", "TCP", "10.244.0.61");
        await node.WaitForBackendsAsync(Vip, 80, "TCP", 1);

        node.DeleteService("web");
        await node.WaitForBackendsAsync(Vip, 80, "TCP", 0);
    }

    /// <summary>
    /// A cluster before Kubernetes 1.21 (no EndpointSlices: the agent executable watches core/v1 Endpoints),
    /// and a Service deleted while the agent is down: the restarted agent finds it in its record of what it
    /// sent and deletes it at the manager, so its VIP leaves the target; the Service that stayed still answers.
    /// </summary>
    [Fact]
    public async Task OldCluster_ServiceDeletedWhileTheAgentWasDown_LeavesTheTargetAfterTheRestart()
    {
        await using var node = await TrafficNode.StartAsync(ports: 4, oldCluster: true);
        await node.AddPodAsync(Client);
        await node.AddPodAsync("10.244.0.71");
        node.Serve("10.244.0.71", "web-1", TrafficNode.BackendPort("TCP"));
        node.ApplyService("web", Vip, 80, "TCP", "10.244.0.71");
        node.ApplyService("gone", "10.96.0.251", 80, "TCP", "10.244.0.71");
        await node.WaitForBackendsAsync(Vip, 80, "TCP", 1);
        await node.WaitForBackendsAsync("10.96.0.251", 80, "TCP", 1);
        Assert.Equal(0, node.Api.Watches(KubeApiStandin.ResourceKind.EndpointSlices));

        await node.Node.KillAgentAsync();
        node.DeleteService("gone");
        await node.Node.StartAgentAsync();

        await node.WaitForBackendsAsync("10.96.0.251", 80, "TCP", 0);
        Assert.Equal([$"{Vip}:80"], await node.BalancedVipsAsync("TCP"));
        Assert.Equal("web-1", (await node.TcpExchangeAsync(Client, Vip, 80)).Backend);
    }

    /// <summary>
    /// A failure drill: pods and services are being added (pods retried as the kubelet retries a failed
    /// ADD: DEL, then ADD again) while one daemon is SIGKILLed and restarted. Afterwards the target's
    /// tables hold exactly the pods and services that exist, traffic flows, and no TAP is lost.
    /// </summary>
    [Theory]
    [InlineData("manager")]
    [InlineData("agent")]
    [InlineData("target")]
    public async Task Drill_DaemonKilledWhilePodsAndServicesAreAdded_TablesEqualDesiredTrafficFlowsNoTapLeaked(string daemon)
    {
        const int Pods = 8;
        await using var node = await TrafficNode.StartAsync(ports: Pods + 5);
        var hostOnly = await node.RoutedAddressesAsync();
        // The client is no backend: k8s_dp does not hairpin a pod's connection to a VIP back to itself.
        await node.AddPodAsync(Client);
        var ips = Enumerable.Range(0, Pods).Select(i => string.Create(CultureInfo.InvariantCulture, $"10.244.0.{60 + i}")).ToArray();
        var third = new TaskCompletionSource();

        var adding = Task.Run(async () =>
        {
            for (var i = 0; i < Pods; i++)
            {
                await AddWithRetriesAsync(node, ips[i]);
                node.Serve(ips[i], "p" + i.ToString(CultureInfo.InvariantCulture), 8080);
                if (i % 2 == 1)
                {
                    node.ApplyService("svc" + (i / 2).ToString(CultureInfo.InvariantCulture), ServiceVip(i / 2), 80, "TCP", ips[i - 1], ips[i]);
                }

                if (i == 2)
                {
                    third.SetResult();
                }
            }
        });
        await third.Task.WaitAsync(TimeSpan.FromSeconds(120));
        switch (daemon)
        {
            case "manager":
                await node.Node.KillManagerAsync();
                await node.Node.StartManagerAsync();
                break;
            case "agent":
                await node.Node.KillAgentAsync();
                await node.Node.StartAgentAsync();
                break;
            default:
                await node.Node.Target.RestartAsync();
                break;
        }

        await adding.WaitAsync(TimeSpan.FromSeconds(180));

        for (var s = 0; s < Pods / 2; s++)
        {
            await node.WaitForBackendsAsync(ServiceVip(s), 80, "TCP", 2);
        }

        Assert.Equal([.. hostOnly.Concat(ips).Append(Client).Order(StringComparer.Ordinal)], await node.RoutedAddressesAsync());
        Assert.Equal([.. Enumerable.Range(0, Pods / 2).Select(s => ServiceVip(s) + ":80").Order(StringComparer.Ordinal)], await node.BalancedVipsAsync("TCP"));
        Assert.True(await node.Pods[ips[0]].PingsAsync(ips[Pods - 1]), node.Node.Logs);
        for (var s = 0; s < Pods / 2; s++)
        {
            var (backend, output) = await node.TcpExchangeAsync(Client, ServiceVip(s), 80);
            Assert.True(backend is not null, $"service {s}: {output}\n{node.Node.Logs}");
        }

        // Every TAP is either a live pod's or free in the host namespace (the ARP proxy holds one); a
        // deleted pod's TAP (the retries' DELs) goes home after the answer.
        await node.Node.WaitForDeletedTapsHomeAsync();
        Assert.Equal(node.Node.Taps.Count - 1 - Pods - 1, (await node.Node.HostTapsAsync()).Count);
        foreach (var ip in ips.Append(Client))
        {
            await node.DeletePodAsync(ip);
        }

        await node.Node.WaitForDeletedTapsHomeAsync();
        Assert.Equal(node.Node.Taps.Count - 1, (await node.Node.HostTapsAsync()).Count);
        Assert.Equal(hostOnly, await node.RoutedAddressesAsync());
    }

    private static string ServiceVip(int service) => string.Create(CultureInfo.InvariantCulture, $"10.96.1.{10 + service}");

    /// <summary>ADD as the kubelet drives it: a failed ADD is cleaned up with DEL and tried again.</summary>
    private static async Task AddWithRetriesAsync(TrafficNode node, string ip)
    {
        var pod = await node.Node.CreatePodNamespaceAsync();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        var failures = new List<string>();
        while (true)
        {
            try
            {
                var reply = await node.Node.Cni.AddAsync(AgentNode.AddRequest(pod, ip), deadline: DateTime.UtcNow.AddSeconds(20));
                if (reply.Successful)
                {
                    node.Pods[ip] = pod;
                    return;
                }

                failures.Add(reply.ErrorMessage);
            }
            catch (RpcException e)
            {
                failures.Add(e.Status.ToString());
            }

            Assert.True(DateTime.UtcNow < deadline, $"Add {ip} never succeeded: {string.Join(" | ", failures)}\n{node.Node.Logs}");
            try
            {
                await node.Node.Cni.DelAsync(AgentNode.DelRequest(pod), deadline: DateTime.UtcNow.AddSeconds(20));
            }
            catch (RpcException)
            {
                // The agent is down: the kubelet tries again later, so does this loop.
            }

            await Task.Delay(300);
        }
    }

    private static async Task<List<string>> BackendsOfNewConnectionsAsync(TrafficNode node, int connections)
    {
        var seen = new HashSet<string>();
        for (var i = 0; i < connections; i++)
        {
            var (backend, output) = await node.TcpExchangeAsync(Client, Vip, 80);
            Assert.True(backend is not null, $"connection {i}: {output}\n{node.Node.Logs}");
            seen.Add(backend);
        }

        return [.. seen];
    }

    private static Task<List<Entity>> ReadTableAsync(TrafficNode node, string table) =>
        node.ReadAsync(new Entity { TableEntry = new TableEntry { TableId = K8sDp.Names.Table(table).Id } });

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TrafficNode node)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met\n" + node.Node.Logs);
            await Task.Delay(100);
        }
    }
}
