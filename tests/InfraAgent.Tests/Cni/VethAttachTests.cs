using InfraAgent.Tests.Node;
using TestSupport;
using TestSupport.Network;
using Xunit;

namespace InfraAgent.Tests.Cni;

/// <summary>
/// tapAttach: veth on a whole node (real infraagent, manager, SoftTarget, namespaces): the pod's eth0 is a
/// veth made in its namespace with the TAP's MAC, the TAP stays on the host joined to it by tc, and
/// traffic goes through the target exactly as with a moved TAP.
/// </summary>
[Collection(HostNetworkTests.Name)]
public sealed class VethAttachTests
{
    private const int HostEntries = 2;
    private static readonly string[] VethMode = ["--tapAttach", "veth"];

    [Fact]
    public async Task Add_Veth_Eth0IsAVethWithTheTapsMacAndTheTapStaysOnTheHostRedirected()
    {
        await using var node = await AgentNode.StartAsync(agentArguments: VethMode);
        var pod = await node.CreatePodNamespaceAsync();

        var reply = await node.Cni.AddAsync(AgentNode.AddRequest(pod, "10.244.0.40")).ResponseAsync.DefaultTimeout();

        Assert.True(reply.Successful, reply.ErrorMessage + node.Logs);
        var tap = node.TapOf(pod);
        var veth = "v" + tap;
        var link = await pod.RunAsync("ip", "-d", "-o", "link", "show", "dev", "eth0");
        Assert.Contains(" veth ", link, StringComparison.Ordinal);
        Assert.Contains("link/ether " + reply.ContainerMac.ToLowerInvariant(), link, StringComparison.Ordinal);
        Assert.Contains("mtu 1500", link, StringComparison.Ordinal);
        Assert.Contains("inet 10.244.0.40/32", await pod.RunAsync("ip", "-o", "-4", "addr", "show", "dev", "eth0"), StringComparison.Ordinal);
        var routes = await pod.RunAsync("ip", "-4", "route", "show");
        Assert.Contains("default via 169.254.1.1 dev eth0", routes, StringComparison.Ordinal);
        Assert.Contains("169.254.1.1 dev eth0 scope link", routes, StringComparison.Ordinal);

        // The TAP (same MAC as the pod's eth0) is still on the host, and tc joins it to the veth both ways.
        Assert.Contains(tap, await node.HostTapsAsync());
        Assert.Contains("link/ether " + reply.ContainerMac.ToLowerInvariant(), await HostCommands.RunAsync("ip", "-o", "link", "show", "dev", tap), StringComparison.Ordinal);
        Assert.Contains($"Egress Redirect to device {veth}", await HostCommands.RunAsync("tc", "filter", "show", "dev", tap, "ingress"), StringComparison.Ordinal);
        Assert.Contains($"Egress Redirect to device {tap}", await HostCommands.RunAsync("tc", "filter", "show", "dev", veth, "ingress"), StringComparison.Ordinal);
        Assert.Equal(HostEntries + 1, await node.ManagerIpv4EntriesAsync());
        Assert.Contains($"\"vethname\":\"{veth}\"", await File.ReadAllTextAsync(Path.Combine(node.CacheDir, pod.Name + "-eth0")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Add_TwoVethPods_PingEachOtherThroughTheTarget_AndDelFreesTheTapForTheNext()
    {
        await using var node = await AgentNode.StartAsync(ports: 4, agentArguments: VethMode);
        var first = await node.CreatePodNamespaceAsync();
        var second = await node.CreatePodNamespaceAsync();

        var a = await node.Cni.AddAsync(AgentNode.AddRequest(first, "10.244.0.41")).ResponseAsync.DefaultTimeout();
        var b = await node.Cni.AddAsync(AgentNode.AddRequest(second, "10.244.0.42")).ResponseAsync.DefaultTimeout();

        Assert.True(a.Successful && b.Successful, a.ErrorMessage + b.ErrorMessage + node.Logs);
        Assert.True(await first.PingsAsync("10.244.0.42"), node.Logs);
        Assert.True(await second.PingsAsync("10.244.0.41"), node.Logs);
        var tap = node.TapOf(second);

        var deleted = await node.Cni.DelAsync(AgentNode.DelRequest(second)).ResponseAsync.DefaultTimeout();
        var again = await node.Cni.DelAsync(AgentNode.DelRequest(second)).ResponseAsync.DefaultTimeout();
        await node.WaitForDeletedTapsHomeAsync();

        Assert.True(deleted.Successful && again.Successful, deleted.ErrorMessage + again.ErrorMessage + node.Logs);
        Assert.DoesNotContain("eth0", await second.RunAsync("ip", "-o", "link", "show"), StringComparison.Ordinal);
        Assert.False(await HostCommands.LinkExistsAsync("v" + tap));
        Assert.DoesNotContain("mirred", await HostCommands.RunAsync("tc", "filter", "show", "dev", tap, "ingress"), StringComparison.Ordinal);
        Assert.Equal(HostEntries + 1, await node.ManagerIpv4EntriesAsync());
        Assert.Empty(Directory.GetFiles(node.CacheDir, second.Name + "*"));

        // Four TAPs: the ARP proxy's, the host interface, the first pod's, and the freed one a new pod gets.
        var third = await node.CreatePodNamespaceAsync();
        var c = await node.Cni.AddAsync(AgentNode.AddRequest(third, "10.244.0.43")).ResponseAsync.DefaultTimeout();
        Assert.True(c.Successful, c.ErrorMessage + node.Logs);
        Assert.Equal(tap, node.TapOf(third));
        Assert.True(await third.PingsAsync("10.244.0.41"), node.Logs);
    }

    [Fact]
    public async Task Add_RightAfterDelOnAFullNode_WaitsForTheFreedTapInsteadOfFailing()
    {
        // Three TAPs: the ARP proxy's, the host interface, and one for pods.
        await using var node = await AgentNode.StartAsync(ports: 3, agentArguments: VethMode);
        var first = await node.CreatePodNamespaceAsync();
        var second = await node.CreatePodNamespaceAsync();
        var a = await node.Cni.AddAsync(AgentNode.AddRequest(first, "10.244.0.48")).ResponseAsync.DefaultTimeout();
        Assert.True(a.Successful, a.ErrorMessage + node.Logs);
        var tap = node.TapOf(first);

        // The Del answers before the veth is gone (that takes the kernel ~20 ms); the Add right behind it waits for the TAP.
        var deleted = await node.Cni.DelAsync(AgentNode.DelRequest(first)).ResponseAsync.DefaultTimeout();
        var b = await node.Cni.AddAsync(AgentNode.AddRequest(second, "10.244.0.49")).ResponseAsync.DefaultTimeout();

        Assert.True(deleted.Successful, deleted.ErrorMessage + node.Logs);
        Assert.True(b.Successful, b.ErrorMessage + node.Logs);
        Assert.Equal(tap, node.TapOf(second));
        Assert.Contains("inet 10.244.0.49/32", await second.RunAsync("ip", "-o", "-4", "addr", "show", "dev", "eth0"), StringComparison.Ordinal);
        Assert.DoesNotContain("eth0", await first.RunAsync("ip", "-o", "link", "show"), StringComparison.Ordinal);

        // With the pod's TAP taken and nothing being removed, the next Add fails at once.
        var third = await node.CreatePodNamespaceAsync();
        var c = await node.Cni.AddAsync(AgentNode.AddRequest(third, "10.244.0.50")).ResponseAsync.DefaultTimeout();
        Assert.False(c.Successful);
        Assert.Contains("no free resources left", c.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Add_RepeatedAfterAnAttachCutShort_JoinsTheTapAgainAndTrafficFlows()
    {
        await using var node = await AgentNode.StartAsync(ports: 4, agentArguments: VethMode);
        var first = await node.CreatePodNamespaceAsync();
        var second = await node.CreatePodNamespaceAsync();
        var request = AgentNode.AddRequest(first, "10.244.0.51");
        var a = await node.Cni.AddAsync(request).ResponseAsync.DefaultTimeout();
        var b = await node.Cni.AddAsync(AgentNode.AddRequest(second, "10.244.0.52")).ResponseAsync.DefaultTimeout();
        Assert.True(a.Successful && b.Successful, a.ErrorMessage + b.ErrorMessage + node.Logs);

        // As if the agent had stopped before its last step: eth0 is there with its address, the TAP's redirect is not.
        await HostCommands.RunAsync("tc", "qdisc", "del", "dev", node.TapOf(first), "clsact");
        Assert.False(await first.PingsAsync("10.244.0.52"));

        var again = await node.Cni.AddAsync(request).ResponseAsync.DefaultTimeout();

        Assert.True(again.Successful, again.ErrorMessage + node.Logs);
        Assert.Equal(a.ContainerMac, again.ContainerMac);
        Assert.True(await first.PingsAsync("10.244.0.52"), node.Logs);
        Assert.Equal(HostEntries + 2, await node.ManagerIpv4EntriesAsync());
    }

    [Fact]
    public async Task Add_Veth_ManagerStopped_FailsAndLeavesNoVethNoRedirect()
    {
        await using var node = await AgentNode.StartAsync(ports: 3, agentArguments: VethMode);
        var pod = await node.CreatePodNamespaceAsync();
        await node.KillManagerAsync();

        var reply = await node.Cni.AddAsync(AgentNode.AddRequest(pod, "10.244.0.44")).ResponseAsync.DefaultTimeout();

        Assert.False(reply.Successful);
        Assert.Contains("infra-manager", reply.ErrorMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("eth0", await pod.RunAsync("ip", "-o", "link", "show"), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(node.CacheDir, pod.Name + "*"));
        foreach (var tap in await node.HostTapsAsync())
        {
            Assert.False(await HostCommands.LinkExistsAsync("v" + tap), "veth of " + tap + " left");
            Assert.DoesNotContain("mirred", await HostCommands.RunAsync("tc", "filter", "show", "dev", tap, "ingress"), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Agent_KilledAndRestarted_VethPodsKeepTrafficAndAGonePodIsReclaimed()
    {
        await using var node = await AgentNode.StartAsync(ports: 5, agentArguments: VethMode);
        var pod = await node.CreatePodNamespaceAsync();
        var peer = await node.CreatePodNamespaceAsync();
        var gone = await node.CreatePodNamespaceAsync();
        foreach (var (ns, ip) in new[] { (pod, "10.244.0.45"), (peer, "10.244.0.46"), (gone, "10.244.0.47") })
        {
            var added = await node.Cni.AddAsync(AgentNode.AddRequest(ns, ip)).ResponseAsync.DefaultTimeout();
            Assert.True(added.Successful, added.ErrorMessage + node.Logs);
        }

        var goneTap = node.TapOf(gone);

        await node.KillAgentAsync();
        Assert.True(await pod.PingsAsync("10.244.0.46"), "traffic needs no agent\n" + node.Logs);
        await HostCommands.RunAsync("ip", "netns", "del", gone.Name);
        await node.StartAgentAsync();

        Assert.True(await pod.PingsAsync("10.244.0.46"), node.Logs);
        Assert.Equal(HostEntries + 2, await node.ManagerIpv4EntriesAsync());
        Assert.Empty(Directory.GetFiles(node.CacheDir, gone.Name + "*"));
        Assert.False(await HostCommands.LinkExistsAsync("v" + goneTap));
        Assert.DoesNotContain("mirred", await HostCommands.RunAsync("tc", "filter", "show", "dev", goneTap, "ingress"), StringComparison.Ordinal);

        var deleted = await node.Cni.DelAsync(AgentNode.DelRequest(pod)).ResponseAsync.DefaultTimeout();
        await node.WaitForDeletedTapsHomeAsync();
        Assert.True(deleted.Successful, deleted.ErrorMessage + node.Logs);
        Assert.Equal(HostEntries + 1, await node.ManagerIpv4EntriesAsync());
        Assert.False(await peer.PingsAsync("10.244.0.45"));
    }

    [Fact]
    public async Task AddDel_Veth_24Concurrent_NoTapLeakedOrShared()
    {
        const int Pods = 24;
        await using var node = await AgentNode.StartAsync(ports: Pods + 3, agentArguments: VethMode);
        var pods = new List<NetworkNamespace>();
        for (var i = 0; i < Pods; i++)
        {
            pods.Add(await node.CreatePodNamespaceAsync());
        }

        var replies = await Task.WhenAll(pods.Select((pod, i) => node.Cni.AddAsync(AgentNode.AddRequest(pod, $"10.244.0.{100 + i}")).ResponseAsync)).WaitAsync(TimeSpan.FromSeconds(120));

        Assert.All(replies, r => Assert.True(r.Successful, r.ErrorMessage + node.Logs));
        Assert.Equal(Pods, replies.Select(r => r.ContainerMac).Distinct().Count());
        Assert.Equal(Pods, pods.Select(p => node.TapOf(p)).Distinct().Count());
        Assert.Equal(HostEntries + Pods, await node.ManagerIpv4EntriesAsync());
        Assert.True(await pods[0].PingsAsync($"10.244.0.{100 + Pods - 1}"), node.Logs);

        var deletes = await Task.WhenAll(pods.Select(pod => node.Cni.DelAsync(AgentNode.DelRequest(pod)).ResponseAsync)).WaitAsync(TimeSpan.FromSeconds(120));
        await node.WaitForDeletedTapsHomeAsync();

        Assert.All(deletes, r => Assert.True(r.Successful, r.ErrorMessage + node.Logs));
        Assert.Equal(HostEntries, await node.ManagerIpv4EntriesAsync());
        Assert.Equal(["hostInterface-hostInterface"], Directory.GetFiles(node.CacheDir).Select(Path.GetFileName));
        Assert.DoesNotContain(" v" + node.Prefix, await HostCommands.RunAsync("ip", "-o", "link", "show"), StringComparison.Ordinal);
    }
}
