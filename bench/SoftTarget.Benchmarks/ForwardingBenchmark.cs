using System.Globalization;
using System.Text.Json;
using SoftTargetKit;
using TestSupport.Network;
using static SoftTargetKit.K8sDp;

namespace SoftTarget.Benchmarks;

/// <summary>iperf3 TCP between two pods through SoftTarget, directly and through a service VIP, and over a plain veth pair.</summary>
internal static class ForwardingBenchmark
{
    private const int Seconds = 8;

    public static async Task<List<(string, string)>> RunAsync(SoftTargetProcess target)
    {
        await using var session = await P4Session.PrimaryWithPipelineAsync(target);
        await using var client = await Pod.CreateAsync(target, "10.244.0.6");
        await using var server = await Pod.CreateAsync(target, "10.244.0.7");
        await session.WriteAsync(Insert(PodRoute(client.Ip, client.Port, client.Mac)), Insert(PodRoute(server.Ip, server.Port, server.Mac)));
        // Service 10.96.0.20:5201 -> 10.244.0.7:5201 (reference-behaviour.md 12.3, one backend).
        var vip = Ip("10.96.0.20");
        await session.WriteAsync(Insert(Entry("write_dest_ip_table", ("meta.mod_blob_ptr_dnat", 17)).With("update_dst_ip", ("new_ip", Ip(server.Ip)), ("new_port", 5201))));
        await session.WriteAsync(Insert(Member("as_sl3_tcp", 17, 17)));
        await session.WriteAsync(Insert(Group("as_sl3_tcp", 1, 17)));
        await session.WriteAsync(
            Insert(Entry("set_meta_tcp", ("hdr.ipv4.dst_addr", Ip(server.Ip)), ("hdr.tcp.dst_port", 5201)).With("set_key_for_reverse_ct", ("ptr", 1))),
            Insert(Entry("tx_balance_tcp", ("hdr.ipv4.dst_addr", vip), ("hdr.tcp.dst_port", 5201)).WithGroup(1)),
            Insert(Entry("write_source_ip_table", ("meta.mod_blob_ptr_snat", 1)).With("update_src_ip", ("new_ip", vip), ("new_port", 5201))));

        await using var iperf = TestSupport.DaemonProcess.StartProgram("ip", ["netns", "exec", server.Namespace.Name, "iperf3", "-s"]);
        await Task.Delay(500);
        var direct = await IperfAsync(client.Namespace, server.Ip);
        var throughVip = await IperfAsync(client.Namespace, "10.96.0.20");
        return
        [
            ("TCP pod to pod through SoftTarget (iperf3, 1 stream)", Gbits(direct)),
            ("TCP pod to service VIP through SoftTarget (DNAT/SNAT)", Gbits(throughVip)),
        ];
    }

    /// <summary>The kernel's own figure on this machine: two namespaces joined by a veth pair.</summary>
    public static async Task<List<(string, string)>> KernelReferenceAsync()
    {
        await using var left = await NetworkNamespace.CreateAsync();
        await using var right = await NetworkNamespace.CreateAsync();
        var a = HostCommands.UniqueName("bv");
        var b = HostCommands.UniqueName("bv");
        await HostCommands.RunAsync("ip", "link", "add", a, "type", "veth", "peer", "name", b);
        await left.AdoptAsync(a, "10.250.0.1/24");
        await right.AdoptAsync(b, "10.250.0.2/24");
        await using var iperf = TestSupport.DaemonProcess.StartProgram("ip", ["netns", "exec", right.Name, "iperf3", "-s"]);
        await Task.Delay(500);
        return [("TCP over a plain veth pair (kernel reference)", Gbits(await IperfAsync(left, "10.250.0.2")))];
    }

    private static async Task<double> IperfAsync(NetworkNamespace from, string to)
    {
        var result = await from.ExecAsync(TimeSpan.FromSeconds(Seconds + 20), "iperf3", "-c", to, "-t", Seconds.ToString(CultureInfo.InvariantCulture), "-J");
        using var json = JsonDocument.Parse(result.StandardOutput);
        return json.RootElement.GetProperty("end").GetProperty("sum_received").GetProperty("bits_per_second").GetDouble();
    }

    private static string Gbits(double bitsPerSecond) => $"{(bitsPerSecond / 1e9).ToString("F2", CultureInfo.InvariantCulture)} Gbit/s";
}
