using System.Globalization;
using System.Text.RegularExpressions;
using Grpc.Core;
using Proto.Infra;
using TestSupport;
using Xunit;
using static InfraManager.Tests.Api.InfraAgentServiceTests;

namespace InfraManager.Tests.Api;

/// <summary>What the node keeps when its processes die, and how the manager says no when the tables are full.</summary>
[Collection(InfraManager.Tests.P4.HostNetworkTests.Name)]
public sealed partial class ManagerRecoveryTests : IClassFixture<TestCertificates>
{
    private readonly TestCertificates _certificates;

    public ManagerRecoveryTests(TestCertificates certificates)
    {
        _certificates = certificates;
    }

    [Fact]
    public async Task ManagerKilledMidStream_Restarted_TargetHoldsEveryAcknowledgedService()
    {
        await using var node = await ManagerNode.StartAsync(_certificates);
        var acknowledged = new List<int>();
        var killed = false;
        Task? killer = null;
        for (var i = 1; i <= 1000 && !killed; i++)
        {
            try
            {
                var reply = await node.Agent.NatTranslationAddAsync(Service(Vip(i), 80, i % 2 == 0 ? "TCP" : "UDP", (Backend(i, 1), 8080), (Backend(i, 2), 8080)));
                Assert.True(reply.Successful, reply.ErrorMessage);
                acknowledged.Add(i);
            }
            catch (RpcException)
            {
                // The manager died under this request: its outcome is unknown to the agent.
                break;
            }

            if (acknowledged.Count == 120)
            {
                // Kill while the next requests are in flight.
                killer = Task.Run(async () =>
                {
                    await Task.Delay(15);
                    await node.KillManagerAsync();
                });
                killed = true;
            }
        }

        // Keep sending until the manager is gone, so the kill lands mid-request.
        for (var i = 1001; ; i++)
        {
            try
            {
                var reply = await node.Agent.NatTranslationAddAsync(Service(Vip(i), 80, "TCP", (Backend(i, 1), 8080), (Backend(i, 2), 8080)), deadline: DateTime.UtcNow.AddSeconds(5));
                if (reply.Successful)
                {
                    acknowledged.Add(i);
                }
            }
            catch (RpcException)
            {
                break;
            }
        }

        if (killer is not null)
        {
            await killer;
        }

        await node.KillManagerAsync();
        await node.StartManagerAsync();
        var tables = await node.ReadTablesAsync();

        var programmed = tables.Where(t => t.StartsWith("k8s_dp_control.tx_balance_", StringComparison.Ordinal)).ToList();
        foreach (var i in acknowledged)
        {
            Assert.Single(programmed, t => t.Contains($"dst_addr={Vip(i)},", StringComparison.Ordinal));
        }

        // At most the request the kill interrupted is there besides them, and every service is whole.
        Assert.InRange(programmed.Count, acknowledged.Count, acknowledged.Count + 1);
        Assert.Equal(1 + (programmed.Count * (3 + (3 * 2))), tables.Count);
        Assert.Contains("reconcile (start)", await File.ReadAllTextAsync(node.LogFile), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TargetKilledAndRestarted_ManagerReloadsThePipelineAndReplaysEverything()
    {
        await using var node = await ManagerNode.StartAsync(_certificates);
        Assert.True((await node.Agent.SetupHostInterfaceAsync(new SetupHostInterfaceRequest { IfName = node.Taps[1], Ipv4Addr = "200.1.1.2/32", MacAddr = "02:00:00:00:00:01" })).Successful);
        Assert.True((await node.Agent.CreateNetworkAsync(Pod("10.244.0.6/24", node.Taps[2], "02:00:00:00:00:06"))).Successful);
        Assert.True((await node.Agent.NatTranslationAddAsync(Service("10.96.0.10", 53, "UDP", ("10.244.0.6", 5353)))).Successful);
        Assert.True((await node.Agent.NatTranslationAddAsync(Service("10.96.0.10", 53, "TCP", ("10.244.0.6", 5353)))).Successful);
        var before = await node.ReadTablesAsync();

        await node.Target.RestartAsync();
        var after = await node.WaitForTablesAsync(t => t.SequenceEqual(before));

        Assert.Equal(before, after);
        Assert.Equal(1 + 4 + 2 + (2 * (3 + 3)), before.Count);
        Assert.Contains("reconcile (the target reloaded its pipeline)", await File.ReadAllTextAsync(node.LogFile), StringComparison.Ordinal);
        // And the manager takes new requests on the new target.
        Assert.True((await node.Agent.DeleteNetworkAsync(new DeleteNetworkRequest { Ipv4Addr = "10.244.0.6/32" })).Successful);
    }

    [Fact]
    public async Task Start_StoreOfTheGoManager_ItsPodsAndServicesAreProgrammed()
    {
        // What a v23.01 manager left in /var/lib/cni/inframanager (Go's json.MarshalIndent, one space).
        await using var node = await ManagerNode.StartAsync(_certificates, prepareStore: async directory =>
        {
            await File.WriteAllTextAsync(Path.Combine(directory, "cni_db.json"), """
                {
                 "10.244.0.6": {
                  "PodIpAddress": "10.244.0.6",
                  "InterfaceID": 2,
                  "PodMacAddress": "02:00:00:00:00:06"
                 }
                }
                """);
            await File.WriteAllTextAsync(Path.Combine(directory, "services_db.json"), """
                {
                 "10.96.0.10:UDP:53": {
                  "ClusterIp": "10.96.0.10",
                  "MacAddr": "02:00:00:00:00:01",
                  "Proto": "UDP",
                  "Port": 53,
                  "GroupID": 1,
                  "ServiceEndPoint": {
                   "10.244.0.6": {
                    "IpAddress": "10.244.0.6",
                    "Port": 5353,
                    "MemberID": 17,
                    "ModBlobPtrDNAT": 17
                   }
                  },
                  "NumEndPoints": 1
                 }
                }
                """);
        });

        Assert.Equal(
        [
            "k8s_dp_control.arpt_to_port_table{hdr.arp.tpa=10.244.0.6} → k8s_dp_control.set_dest_vport(p=2)",
            InfraAgentServiceTests.DefaultRule,
            "k8s_dp_control.as_sl3_udp group 1 [17]",
            "k8s_dp_control.as_sl3_udp member 17 → k8s_dp_control.set_default_lb_dest(ptr=17)",
            "k8s_dp_control.ipv4_to_port_table{hdr.ipv4.dst_addr=10.244.0.6} → k8s_dp_control.set_dest_mac_vport(p=2, new_dmac=02:00:00:00:00:06)",
            "k8s_dp_control.set_meta_udp{hdr.ipv4.dst_addr=10.244.0.6, hdr.udp.dst_port=5353} → k8s_dp_control.set_key_for_reverse_ct(ptr=1)",
            "k8s_dp_control.tx_balance_udp{hdr.ipv4.dst_addr=10.96.0.10, hdr.udp.dst_port=53} → group 1",
            "k8s_dp_control.write_dest_ip_table{meta.mod_blob_ptr_dnat=17} → k8s_dp_control.update_dst_ip(new_ip=10.244.0.6, new_port=5353)",
            "k8s_dp_control.write_source_ip_table{meta.mod_blob_ptr_snat=1} → k8s_dp_control.update_src_ip(new_ip=10.96.0.10, new_port=53)",
        ], await node.ReadTablesAsync());
        // The agent's next delete of that pod finds it.
        Assert.True((await node.Agent.DeleteNetworkAsync(new DeleteNetworkRequest { Ipv4Addr = "10.244.0.6/32" })).Successful);
        Assert.DoesNotContain(await node.ReadTablesAsync(), t => t.StartsWith("k8s_dp_control.ipv4_to_port_table", StringComparison.Ordinal));
    }

    [Fact]
    public async Task NatTranslationAdd_SelectorFull_SaysSoAndWritesNothing()
    {
        var p4Info = SelectorSize().Replace(await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "k8s_dp", "p4Info.txt")), "$1 4\n");
        await using var node = await ManagerNode.StartAsync(_certificates, p4Info: p4Info);

        var tooMany = await node.Agent.NatTranslationAddAsync(Service("10.96.0.50", 80, "TCP", [.. Enumerable.Range(1, 5).Select(i => ($"10.244.5.{i}", 80u))]));
        var tablesAfterRefusal = await node.ReadTablesAsync();
        var fits = await node.Agent.NatTranslationAddAsync(Service("10.96.0.50", 80, "TCP", [.. Enumerable.Range(1, 4).Select(i => ($"10.244.5.{i}", 80u))]));
        var oneMore = await node.Agent.NatTranslationAddAsync(Service("10.96.0.51", 80, "TCP", ("10.244.5.9", 80)));

        Assert.False(tooMany.Successful);
        Assert.Equal("action selector k8s_dp_control.as_sl3_tcp is full: it holds 4 members (P4Info size)", tooMany.ErrorMessage);
        Assert.Equal([InfraAgentServiceTests.DefaultRule], tablesAfterRefusal);
        Assert.True(fits.Successful, fits.ErrorMessage);
        Assert.False(oneMore.Successful);
        Assert.Equal(1 + 3 + (3 * 4), (await node.ReadTablesAsync()).Count);
        // UDP has its own selector.
        Assert.True((await node.Agent.NatTranslationAddAsync(Service("10.96.0.51", 80, "UDP", ("10.244.5.9", 80)))).Successful);
    }

    [Fact]
    public async Task Metrics_CountRequestsAndTableOccupancy()
    {
        await using var node = await ManagerNode.StartAsync(_certificates);
        Assert.True((await node.Agent.NatTranslationAddAsync(Service("10.96.0.60", 80, "TCP", ("10.244.6.1", 80), ("10.244.6.2", 80)))).Successful);
        await Assert.ThrowsAsync<RpcException>(() => node.Agent.NatTranslationAddAsync(Service("10.96.0.60", 0, "TCP")).ResponseAsync);

        var metrics = await node.MetricsAsync();

        Assert.Contains("inframanager_requests_total{method=\"NatTranslationAdd\",result=\"ok\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("inframanager_requests_total{method=\"NatTranslationAdd\",result=\"invalid\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("inframanager_table_entries{table=\"k8s_dp_control.as_sl3_tcp.members\"} 2", metrics, StringComparison.Ordinal);
        Assert.Contains("inframanager_table_entries{table=\"k8s_dp_control.arpt_to_port_table\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("inframanager_table_capacity{table=\"k8s_dp_control.write_dest_ip_table\"} 65536", metrics, StringComparison.Ordinal);
        Assert.Contains("inframanager_request_duration_seconds_count{method=\"NatTranslationAdd\"} 2", metrics, StringComparison.Ordinal);
    }

    private static string Vip(int i) => string.Create(CultureInfo.InvariantCulture, $"10.96.{i / 250}.{(i % 250) + 1}");

    private static string Backend(int i, int n) => string.Create(CultureInfo.InvariantCulture, $"10.{100 + n}.{i / 250}.{(i % 250) + 1}");

    // The size line of the as_sl3_tcp action profile in p4Info.txt.
    [GeneratedRegex(@"(alias: ""as_sl3_tcp""\s*\}\s*table_ids: \d+\s*with_selector: true\s*size:) \d+\n")]
    private static partial Regex SelectorSize();
}
