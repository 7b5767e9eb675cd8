using System.Globalization;
using TestSupport;
using TestSupport.Network;
using SoftTargetKit;
using Xunit;
using static SoftTargetKit.K8sDp;

namespace SoftTarget.Tests.DataPlane;

/// <summary>
/// Real frames through SoftTarget: pods in network namespaces on its TAPs, tables written over
/// P4Runtime, traffic from real sockets (the kernel drops frames with bad checksums, so a working
/// connection proves them right).
/// </summary>
[Collection(HostNetworkTests.Name)]
public sealed class ForwardingTests : IClassFixture<SoftTargetProcess>
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(10);
    private readonly SoftTargetProcess _target;

    public ForwardingTests(SoftTargetProcess target)
    {
        _target = target;
    }

    [Fact]
    public async Task Pods_PingBothWays_OnlyOnceTheirRoutesAreWritten()
    {
        await using var session = await P4Session.PrimaryWithPipelineAsync(_target);
        await using var a = await Pod.CreateAsync(_target, "10.244.0.6");
        await using var b = await Pod.CreateAsync(_target, "10.244.0.7");

        Assert.False(await PingAsync(a, b.Ip), "no route in the pipeline yet, yet ping went through\n" + _target.Output);

        await session.WriteAsync(Insert(PodRoute(a.Ip, a.Port, a.Mac)), Insert(PodRoute(b.Ip, b.Port, b.Mac)));

        Assert.True(await PingAsync(a, b.Ip), "a -> b\n" + _target.Output);
        Assert.True(await PingAsync(b, a.Ip), "b -> a\n" + _target.Output);
    }

    [Fact]
    public async Task Pods_Ping_FailsWhileAnIngressDenyEntryIsWrittenAndWorksOnceItIsDeleted()
    {
        await using var session = await P4Session.PrimaryWithPipelineAsync(_target);
        await using var a = await Pod.CreateAsync(_target, "10.244.0.6");
        await using var b = await Pod.CreateAsync(_target, "10.244.0.7");
        await session.WriteAsync(Insert(PodRoute(a.Ip, a.Port, a.Mac)), Insert(PodRoute(b.Ip, b.Port, b.Mac)));
        Assert.True(await PingAsync(a, b.Ip), "a -> b before any policy\n" + _target.Output);

        // b's catch-all ingress entry (protocol omitted): deny everything. Each ping run is a new ICMP identifier, so a new connection.
        var deny = Entry("acl_pod_ip_proto_table_ingress", ("hdr.ipv4.dst_addr", Ip(b.Ip))).With("set_status_deny_all");
        await session.WriteAsync(Insert(deny));
        Assert.False(await PingAsync(a, b.Ip), "b denies all ingress, yet a's ping went through\n" + _target.Output);
        Assert.True(await PingAsync(b, a.Ip), "b's own pings are not ingress to b\n" + _target.Output);

        await session.WriteAsync(Delete(deny));
        Assert.True(await PingAsync(a, b.Ip), "a -> b after the deny entry was deleted\n" + _target.Output);
    }

    [Fact]
    public async Task ServiceVip_TcpAndUdp_SpreadOverBothBackendsStickyPerConnectionAndAnsweredFromTheVip()
    {
        await using var session = await P4Session.PrimaryWithPipelineAsync(_target);
        await using var client = await Pod.CreateAsync(_target, "10.244.0.6");
        await using var one = await Pod.CreateAsync(_target, "10.244.0.7");
        await using var two = await Pod.CreateAsync(_target, "10.244.0.8");
        await session.WriteAsync(Insert(PodRoute(client.Ip, client.Port, client.Mac)), Insert(PodRoute(one.Ip, one.Port, one.Mac)), Insert(PodRoute(two.Ip, two.Port, two.Mac)));
        await ProgramServiceAsync(session, "as_sl3_tcp", "tx_balance_tcp", "set_meta_tcp", "hdr.tcp.dst_port", group: 1, vipPort: 80, backendPort: 8080, pointers: [17, 18], one.Ip, two.Ip);
        await ProgramServiceAsync(session, "as_sl3_udp", "tx_balance_udp", "set_meta_udp", "hdr.udp.dst_port", group: 2, vipPort: 53, backendPort: 5353, pointers: [33, 34], one.Ip, two.Ip);
        await using var tcpOne = Serve(one, "TCP-LISTEN:8080,fork,reuseaddr", "while read l; do echo one $l; done");
        await using var tcpTwo = Serve(two, "TCP-LISTEN:8080,fork,reuseaddr", "while read l; do echo two $l; done");
        await using var udpOne = Serve(one, "UDP-LISTEN:5353,fork,reuseaddr", "read l; echo one $l");
        await using var udpTwo = Serve(two, "UDP-LISTEN:5353,fork,reuseaddr", "read l; echo two $l");
        await Task.Delay(300);

        var tcpBackends = new HashSet<string>();
        for (var i = 0; i < 16; i++)
        {
            // socat connects to the VIP, so the kernel accepts only a SYN-ACK from 10.96.0.10:80: SNAT proven.
            var reply = await client.Namespace.ExecAsync(CommandTimeout, "sh", "-c", "printf 'a\\nb\\nc\\n' | socat -T 3 - TCP:10.96.0.10:80");
            var lines = reply.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(lines.Length == 3, $"connection {i}: {reply.AllOutput}\n{_target.Output}");
            var backend = lines[0].Split(' ')[0];
            Assert.Equal([$"{backend} a", $"{backend} b", $"{backend} c"], lines);
            tcpBackends.Add(backend);
        }

        var udpBackends = new HashSet<string>();
        for (var i = 0; i < 16; i++)
        {
            var reply = await client.Namespace.ExecAsync(CommandTimeout, "sh", "-c", $"echo q{i} | socat -T 2 - UDP:10.96.0.10:53");
            var line = reply.StandardOutput.Trim();
            Assert.True(line.EndsWith($" q{i}", StringComparison.Ordinal), $"datagram {i}: {reply.AllOutput}");
            udpBackends.Add(line.Split(' ')[0]);
        }

        Assert.Equal(["one", "two"], tcpBackends.Order());
        Assert.Equal(["one", "two"], udpBackends.Order());
        var learned = await session.ReadAsync(new Proto.P4.V1.Entity { TableEntry = new Proto.P4.V1.TableEntry { TableId = Names.Table("pinned_flows").Id } });
        Assert.NotEmpty(learned);
    }

    /// <summary>The entries of reference-behaviour.md 12.3 for one service port with two backends.</summary>
    private static async Task ProgramServiceAsync(P4Session session, string profile, string balance, string meta, string portField, uint group, ushort vipPort, ushort backendPort, uint[] pointers, params string[] backends)
    {
        var vip = Ip("10.96.0.10");
        await session.WriteAsync(backends.Select((ip, i) => Insert(Entry("write_dest_ip_table", ("meta.mod_blob_ptr_dnat", pointers[i])).With("update_dst_ip", ("new_ip", Ip(ip)), ("new_port", backendPort)))));
        await session.WriteAsync(pointers.Select(p => Insert(Member(profile, p, p))));
        await session.WriteAsync(Insert(Group(profile, group, pointers)));
        await session.WriteAsync(backends.Select(ip => Insert(Entry(meta, ("hdr.ipv4.dst_addr", Ip(ip)), (portField, backendPort)).With("set_key_for_reverse_ct", ("ptr", group)))));
        await session.WriteAsync(Insert(Entry(balance, ("hdr.ipv4.dst_addr", vip), (portField, vipPort)).WithGroup(group)));
        await session.WriteAsync(Insert(Entry("write_source_ip_table", ("meta.mod_blob_ptr_snat", group)).With("update_src_ip", ("new_ip", vip), ("new_port", vipPort))));
    }

    private static DaemonProcess Serve(Pod pod, string listen, string script) =>
        DaemonProcess.StartProgram("ip", ["netns", "exec", pod.Namespace.Name, "socat", listen, $"SYSTEM:{script}"]);

    private static async Task<bool> PingAsync(Pod from, string to) =>
        (await from.Namespace.ExecAsync(CommandTimeout, "ping", "-c", "2", "-W", "1", "-i", "0.2", to)).ExitCode == 0;
}
