using Grpc.Core;
using InfraAgent.Tests.Node;
using Proto.Cni;
using TestSupport;
using TestSupport.Network;
using Xunit;
using Xunit.Abstractions;

namespace InfraAgent.Tests.Cni;

/// <summary>cni.CniDataplane of a real infraagent process, called as Calico's CNI plugin calls it, on a whole node.</summary>
[Collection(HostNetworkTests.Name)]
public sealed class CniDataplaneServiceTests(ITestOutputHelper output)
{
    /// <summary>The host interface and the node IP: the manager's ipv4_to_port_table entries before any pod.</summary>
    private const int HostEntries = 2;

    [Fact]
    public async Task Add_Pod_Eth0HasPodAddressMacAndRoutes()
    {
        await using var node = await AgentNode.StartAsync();
        var pod = await node.CreatePodNamespaceAsync();

        var request = AgentNode.AddRequest(pod, "10.244.0.6");

        var reply = await node.Cni.AddAsync(request).ResponseAsync.DefaultTimeout();

        Assert.True(reply.Successful, reply.ErrorMessage + node.Logs);
        Assert.Equal(request.DesiredHostInterfaceName, reply.HostInterfaceName);
        var link = await pod.RunAsync("ip", "-o", "link", "show", "dev", "eth0");
        Assert.Contains("link/ether " + reply.ContainerMac.ToLowerInvariant(), link, StringComparison.Ordinal);
        Assert.Contains("mtu 1500", link, StringComparison.Ordinal);
        Assert.Contains("inet 10.244.0.6/32", await pod.RunAsync("ip", "-o", "-4", "addr", "show", "dev", "eth0"), StringComparison.Ordinal);
        var routes = await pod.RunAsync("ip", "-4", "route", "show");
        Assert.Contains("default via 169.254.1.1 dev eth0", routes, StringComparison.Ordinal);
        Assert.Contains("169.254.1.1 dev eth0 scope link", routes, StringComparison.Ordinal);
        Assert.Equal(HostEntries + 1, await node.ManagerIpv4EntriesAsync());
        var cache = Assert.Single(Directory.GetFiles(node.CacheDir, pod.Name + "-eth0"));
        Assert.Contains("\"macaddr\":\"" + reply.ContainerMac + "\"", await File.ReadAllTextAsync(cache), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(node.TapOf(pod), await node.HostTapsAsync());

        // The host interface as 12.1 says: 200.1.1.2/32 and the pod CIDRs through the gateway.
        // The first free TAP by number (the ARP proxy has the first): k8s_dp sends unknown destinations to port 1.
        Assert.Equal(node.Taps[1], node.HostInterface);
        var hostRoutes = await HostCommands.RunAsync("ip", "-4", "route", "show", "dev", node.HostInterface);
        Assert.Contains("10.244.0.0/16 via 169.254.1.1", hostRoutes, StringComparison.Ordinal);
        Assert.Contains("10.244.0.0/24 via 169.254.1.1", hostRoutes, StringComparison.Ordinal);
        Assert.Contains("inet 200.1.1.2/32", await HostCommands.RunAsync("ip", "-o", "-4", "addr", "show", "dev", node.HostInterface), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Add_TwoPods_PingEachOtherThroughTheTarget()
    {
        await using var node = await AgentNode.StartAsync();
        var first = await node.CreatePodNamespaceAsync();
        var second = await node.CreatePodNamespaceAsync();

        var a = await node.Cni.AddAsync(AgentNode.AddRequest(first, "10.244.0.10")).ResponseAsync.DefaultTimeout();
        var b = await node.Cni.AddAsync(AgentNode.AddRequest(second, "10.244.0.11")).ResponseAsync.DefaultTimeout();

        Assert.True(a.Successful && b.Successful, a.ErrorMessage + b.ErrorMessage + node.Logs);
        Assert.NotEqual(a.ContainerMac, b.ContainerMac);
        Assert.True(await first.PingsAsync("10.244.0.11"), node.Logs);
        Assert.True(await second.PingsAsync("10.244.0.10"), node.Logs);
    }

    [Fact]
    public async Task Del_Pod_TapBackInHostUnderItsNameAndManagerEntriesGone()
    {
        await using var node = await AgentNode.StartAsync();
        var pod = await node.CreatePodNamespaceAsync();
        var added = await node.Cni.AddAsync(AgentNode.AddRequest(pod, "10.244.0.7")).ResponseAsync.DefaultTimeout();
        Assert.True(added.Successful, added.ErrorMessage + node.Logs);
        var tap = node.TapOf(pod);
        Assert.DoesNotContain(tap, await node.HostTapsAsync());

        var deleted = await node.Cni.DelAsync(AgentNode.DelRequest(pod)).ResponseAsync.DefaultTimeout();
        var again = await node.Cni.DelAsync(AgentNode.DelRequest(pod)).ResponseAsync.DefaultTimeout();
        await node.WaitForDeletedTapsHomeAsync();

        Assert.True(deleted.Successful, deleted.ErrorMessage + node.Logs);
        Assert.True(again.Successful, again.ErrorMessage);
        Assert.Contains(tap, await node.HostTapsAsync());
        Assert.Equal(HostEntries, await node.ManagerIpv4EntriesAsync());
        Assert.Empty(Directory.GetFiles(node.CacheDir, pod.Name + "*"));
        Assert.DoesNotContain("eth0", await pod.RunAsync("ip", "-o", "link", "show"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Add_ManagerStopped_FailsAndLeavesNothingBehind()
    {
        await using var node = await AgentNode.StartAsync();
        var pod = await node.CreatePodNamespaceAsync();
        await node.KillManagerAsync();

        var reply = await node.Cni.AddAsync(AgentNode.AddRequest(pod, "10.244.0.8")).ResponseAsync.DefaultTimeout();

        Assert.False(reply.Successful);
        Assert.Contains("infra-manager", reply.ErrorMessage, StringComparison.Ordinal);
        await AssertNothingLeftAsync(node, pod);

        // The TAP went back to the pool: once the manager is back, the same pod is added.
        await node.StartManagerAsync();
        // Once the agent sees the manager serving again (its readiness check), the kubelet's retry goes through.
        var deadline = DateTime.UtcNow + TaskTimeoutExtensions.Default;
        while (!(await node.AgentHttpAsync("/check")).StartsWith("200", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        var retried = await node.Cni.AddAsync(AgentNode.AddRequest(pod, "10.244.0.8")).ResponseAsync.DefaultTimeout();
        Assert.True(retried.Successful, retried.ErrorMessage + node.Logs);
        Assert.Equal(HostEntries + 1, await node.ManagerIpv4EntriesAsync());
    }

    [Fact]
    public async Task Add_SecondPodWithSameIp_FailsLeavesNothingAndKeepsTheFirst()
    {
        await using var node = await AgentNode.StartAsync();
        var first = await node.CreatePodNamespaceAsync();
        var second = await node.CreatePodNamespaceAsync();
        var added = await node.Cni.AddAsync(AgentNode.AddRequest(first, "10.244.0.9")).ResponseAsync.DefaultTimeout();
        Assert.True(added.Successful, added.ErrorMessage + node.Logs);

        var clash = await node.Cni.AddAsync(AgentNode.AddRequest(second, "10.244.0.9")).ResponseAsync.DefaultTimeout();

        Assert.False(clash.Successful);
        await AssertNothingLeftAsync(node, second, expectedTapsInHost: node.Taps.Count - 2);
        Assert.Equal(HostEntries + 1, await node.ManagerIpv4EntriesAsync());
        Assert.Contains("inet 10.244.0.9/32", await first.RunAsync("ip", "-o", "-4", "addr", "show", "dev", "eth0"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Del_NetnsAlreadyDeleted_FreesTapAndEntries()
    {
        await using var node = await AgentNode.StartAsync();
        var pod = await node.CreatePodNamespaceAsync();
        var added = await node.Cni.AddAsync(AgentNode.AddRequest(pod, "10.244.0.12")).ResponseAsync.DefaultTimeout();
        Assert.True(added.Successful, added.ErrorMessage + node.Logs);
        var tap = node.TapOf(pod);
        await HostCommands.RunAsync("ip", "netns", "del", pod.Name);

        var deleted = await node.Cni.DelAsync(AgentNode.DelRequest(pod)).ResponseAsync.DefaultTimeout();
        await node.WaitForDeletedTapsHomeAsync();

        Assert.True(deleted.Successful, deleted.ErrorMessage + node.Logs);
        Assert.Equal(HostEntries, await node.ManagerIpv4EntriesAsync());
        Assert.Empty(Directory.GetFiles(node.CacheDir, pod.Name + "*"));
        Assert.Contains(tap, await node.HostTapsAsync());
    }

    [Fact]
    public async Task Agent_KilledAndRestarted_KeepsItsPodsAndDeletesThem()
    {
        await using var node = await AgentNode.StartAsync();
        var pod = await node.CreatePodNamespaceAsync();
        var gone = await node.CreatePodNamespaceAsync();
        var added = await node.Cni.AddAsync(AgentNode.AddRequest(pod, "10.244.0.13")).ResponseAsync.DefaultTimeout();
        var addedGone = await node.Cni.AddAsync(AgentNode.AddRequest(gone, "10.244.0.14")).ResponseAsync.DefaultTimeout();
        Assert.True(added.Successful && addedGone.Successful, added.ErrorMessage + addedGone.ErrorMessage + node.Logs);
        var tap = node.TapOf(pod);

        await node.KillAgentAsync();
        await HostCommands.RunAsync("ip", "netns", "del", gone.Name);
        await node.StartAgentAsync();

        // The pod whose namespace went while the agent was down was reclaimed at start.
        Assert.Equal(HostEntries + 1, await node.ManagerIpv4EntriesAsync());
        Assert.Empty(Directory.GetFiles(node.CacheDir, gone.Name + "*"));
        Assert.Contains("inet 10.244.0.13/32", await pod.RunAsync("ip", "-o", "-4", "addr", "show", "dev", "eth0"), StringComparison.Ordinal);

        // The next Add gets a free TAP, not the live pod's.
        var third = await node.CreatePodNamespaceAsync();
        var thirdAdded = await node.Cni.AddAsync(AgentNode.AddRequest(third, "10.244.0.15")).ResponseAsync.DefaultTimeout();
        Assert.True(thirdAdded.Successful, thirdAdded.ErrorMessage + node.Logs);
        Assert.NotEqual(added.ContainerMac, thirdAdded.ContainerMac);

        var deleted = await node.Cni.DelAsync(AgentNode.DelRequest(pod)).ResponseAsync.DefaultTimeout();
        await node.WaitForDeletedTapsHomeAsync();
        Assert.True(deleted.Successful, deleted.ErrorMessage + node.Logs);
        Assert.Contains(tap, await node.HostTapsAsync());
        Assert.Equal(HostEntries + 1, await node.ManagerIpv4EntriesAsync());
    }

    [Fact]
    public async Task AddDel_50Concurrent_NoTapLeakedOrShared()
    {
        const int Pods = 50;
        await using var node = await AgentNode.StartAsync(ports: Pods + 4);
        var pods = new List<NetworkNamespace>();
        for (var i = 0; i < Pods; i++)
        {
            pods.Add(await node.CreatePodNamespaceAsync());
        }

        var replies = await Task.WhenAll(pods.Select((pod, i) => node.Cni.AddAsync(AgentNode.AddRequest(pod, $"10.244.0.{100 + i}")).ResponseAsync)).WaitAsync(TimeSpan.FromSeconds(120));

        Assert.All(replies, r => Assert.True(r.Successful, r.ErrorMessage + node.Logs));
        Assert.Equal(Pods, replies.Select(r => r.ContainerMac).Distinct().Count());
        Assert.Equal(node.Taps.Count - 1 - Pods, (await node.HostTapsAsync()).Count);
        Assert.Equal(HostEntries + Pods, await node.ManagerIpv4EntriesAsync());

        var deletes = await Task.WhenAll(pods.Select(pod => node.Cni.DelAsync(AgentNode.DelRequest(pod)).ResponseAsync)).WaitAsync(TimeSpan.FromSeconds(120));
        await node.WaitForDeletedTapsHomeAsync();

        Assert.All(deletes, r => Assert.True(r.Successful, r.ErrorMessage + node.Logs));
        Assert.Equal(node.Taps.Count - 1, (await node.HostTapsAsync()).Count);
        Assert.Equal(HostEntries, await node.ManagerIpv4EntriesAsync());
        Assert.Equal(["hostInterface-hostInterface"], Directory.GetFiles(node.CacheDir).Select(Path.GetFileName));
        var metrics = await node.AgentHttpAsync("/metrics");
        foreach (var line in metrics.Split('\n').Where(l => l.StartsWith("infraagent_cni_request_duration_seconds_sum", StringComparison.Ordinal) || l.StartsWith("infraagent_cni_request_duration_seconds_count", StringComparison.Ordinal)))
        {
            output.WriteLine(line);
        }
    }

    [Fact]
    public async Task Add_MalformedRequests_InvalidArgumentNamingTheField()
    {
        await using var node = await AgentNode.StartAsync(ports: 3);
        var pod = await node.CreatePodNamespaceAsync();
        var cases = new (Action<AddRequest> Break, string Field)[]
        {
            (r => r.ContainerIps[0].Address = "10.244.0.300/24", "container_ips[0].address"),
            (r => r.ContainerIps.Clear(), "container_ips"),
            (r => r.InterfaceName = "../eth0", "interface_name"),
            (r => r.Netns = string.Empty, "netns"),
            (r => r.ContainerRoutes.Add("bogus"), "container_routes[1]"),
            (r => r.Settings.Mtu = 20, "settings.mtu"),
        };

        foreach (var (breakIt, field) in cases)
        {
            var request = AgentNode.AddRequest(pod, "10.244.0.20");
            breakIt(request);
            var error = await Assert.ThrowsAsync<RpcException>(() => node.Cni.AddAsync(request).ResponseAsync.DefaultTimeout());
            Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
            Assert.StartsWith(field + ": ", error.Status.Detail, StringComparison.Ordinal);
        }

        var del = await Assert.ThrowsAsync<RpcException>(() => node.Cni.DelAsync(new DelRequest { Netns = AgentNode.NetnsPath(pod) }).ResponseAsync.DefaultTimeout());
        Assert.StartsWith("interface_name: ", del.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(HostEntries, await node.ManagerIpv4EntriesAsync());
    }

    [Fact]
    public async Task HealthEndpoint_Serving_CheckIs200AndMetricsHaveCniLatency()
    {
        await using var node = await AgentNode.StartAsync(ports: 3);
        var pod = await node.CreatePodNamespaceAsync();
        Assert.True((await node.Cni.AddAsync(AgentNode.AddRequest(pod, "10.244.0.30")).ResponseAsync.DefaultTimeout()).Successful, node.Logs);

        Assert.StartsWith("200", await node.AgentHttpAsync("/check"), StringComparison.Ordinal);
        var metrics = await node.AgentHttpAsync("/metrics");
        Assert.Contains("infraagent_cni_request_duration_seconds_count{method=\"Add\",result=\"ok\"} 1", metrics, StringComparison.Ordinal);

        await node.KillManagerAsync();
        Assert.StartsWith("500", await node.AgentHttpAsync("/check"), StringComparison.Ordinal);
    }

    private static async Task AssertNothingLeftAsync(AgentNode node, NetworkNamespace pod, int? expectedTapsInHost = null)
    {
        Assert.DoesNotContain("eth0", await pod.RunAsync("ip", "-o", "link", "show"), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(node.CacheDir, pod.Name + "*"));
        Assert.Equal(expectedTapsInHost ?? node.Taps.Count - 1, (await node.HostTapsAsync()).Count);
    }
}
