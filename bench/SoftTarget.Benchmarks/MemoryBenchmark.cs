using System.Globalization;
using Proto.P4.V1;
using SoftTargetKit;
using static SoftTargetKit.K8sDp;

namespace SoftTarget.Benchmarks;

/// <summary>SoftTarget's resident memory with 10,000 entries installed (or every table full, if they hold fewer).</summary>
internal static class MemoryBenchmark
{
    private const int Wanted = 10_000;

    public static async Task<List<(string, string)>> RunAsync(SoftTargetProcess target)
    {
        await using var session = await P4Session.PrimaryWithPipelineAsync(target);
        var written = 0;
        foreach (var (table, field, action, parameters) in new (string, string, string, (string, ulong)[])[]
        {
            ("ipv4_to_port_table", "hdr.ipv4.dst_addr", "set_dest_mac_vport", [("p", 2), ("new_dmac", 0x020000000002)]),
            ("arpt_to_port_table", "hdr.arp.tpa", "set_dest_vport", [("p", 2)]),
            ("write_source_ip_table", "meta.mod_blob_ptr_snat", "update_src_ip", [("new_ip", 0x0a600001), ("new_port", 80)]),
            ("write_dest_ip_table", "meta.mod_blob_ptr_dnat", "update_dst_ip", [("new_ip", 0x0af40001), ("new_port", 8080)]),
        })
        {
            var count = (int)Math.Min(Names.Table(table).Size, Wanted - written);
            foreach (var chunk in Enumerable.Range(1, count).Chunk(1000))
            {
                await session.WriteAsync(chunk.Select(i => Insert(Entry(table, (field, (ulong)i)).With(action, parameters))));
            }

            written += count;
        }

        foreach (var (table, portField) in new[] { ("set_meta_tcp", "hdr.tcp.dst_port"), ("set_meta_udp", "hdr.udp.dst_port") })
        {
            var count = (int)Math.Min(Names.Table(table).Size, Wanted - written);
            foreach (var chunk in Enumerable.Range(1, count).Chunk(1000))
            {
                await session.WriteAsync(chunk.Select(i => Insert(Entry(table, ("hdr.ipv4.dst_addr", (ulong)i), (portField, 80)).With("set_key_for_reverse_ct", ("ptr", 1)))));
            }

            written += count;
        }

        foreach (var profile in new[] { "as_sl3_tcp", "as_sl3_udp" })
        {
            var count = (int)Math.Min(Names.ActionProfile(profile).Size, Wanted - written);
            await session.WriteAsync(Enumerable.Range(1, count).Select(i => Insert(Member(profile, (uint)i, (ulong)i))));
            written += count;
        }

        var read = await session.ReadAsync(new Entity { TableEntry = new TableEntry() }, new Entity { ActionProfileMember = new ActionProfileMember() });
        GC.KeepAlive(read);
        var rss = ResidentMegabytes(target.ProcessId);
        return [($"Resident memory with {read.Count.ToString("N0", CultureInfo.InvariantCulture)} entries", $"{rss:F0} MB")];
    }

    public static double ResidentMegabytes(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
    }
}
