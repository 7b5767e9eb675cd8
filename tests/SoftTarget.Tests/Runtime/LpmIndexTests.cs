using Proto.P4.V1;
using SoftTarget.Runtime;
using SoftTarget.Tests.DataPlane;
using Xunit;
using static SoftTargetKit.K8sDp;

namespace SoftTarget.Tests.Runtime;

/// <summary>The LPM index against a scan of the table, over random batches of inserts and deletes written through the device.</summary>
public sealed class LpmIndexTests
{
    private static readonly int[] Prefixes = [0, 8, 16, 20, 24, 28, 32];

    [Fact]
    public void Find_AfterRandomBatches_SameEntryAsTheLongestMatchingPrefixOfAScan()
    {
        var target = new InProcessTarget();
        var table = target.Device.Pipeline?.Table("acl_ipset_match_table_egress") ?? throw new InvalidOperationException("no pipeline");
        var index = table.Lpm ?? throw new InvalidOperationException("acl_ipset_match_table_egress has no LPM index");
        var random = new Random(20240601);
        var written = new Dictionary<(byte Policy, uint Value, int Prefix), TableEntry>();
        for (var batch = 0; batch < 200; batch++)
        {
            var updates = new List<Update>();
            var keys = new HashSet<(byte, uint, int)>();
            for (var i = random.Next(1, 20); i > 0; i--)
            {
                var policy = (byte)random.Next(1, 4);
                var prefix = Prefixes[random.Next(Prefixes.Length)];
                var value = Address(random) & Mask(prefix);
                if (!keys.Add((policy, value, prefix)))
                {
                    continue;
                }

                var entry = Entry("acl_ipset_match_table_egress", ("meta.acl_pol_id", policy));
                if (prefix > 0)
                {
                    entry.WithLpm("hdr.ipv4.dst_addr", value, prefix);
                }

                entry.With("set_ipset_match_result", ("ipset_matched_mask", (ulong)random.Next(256)));
                updates.Add(written.Remove((policy, value, prefix)) ? Delete(entry) : Insert(entry));
                if (updates[^1].Type == Update.Types.Type.Insert)
                {
                    written[(policy, value, prefix)] = entry;
                }
            }

            target.Write([.. updates]);

            for (var probe = 0; probe < 50; probe++)
            {
                var policy = (byte)random.Next(0, 5);
                var address = Address(random);
                var expected = written
                    .Where(w => w.Key.Policy == policy && (address & Mask(w.Key.Prefix)) == w.Key.Value)
                    .OrderByDescending(w => w.Key.Prefix)
                    .Select(w => (uint?)w.Key.Prefix)
                    .FirstOrDefault();
                var found = index.Snapshot.Find(policy, address);
                Assert.Equal(expected, found is null ? null : PrefixOf(found.Entry));
                Assert.True(found is null || table.Entries.Values.Contains(found), "the index holds an entry the table no longer has");
            }
        }

        Assert.Equal(written.Count, table.Count);
    }

    private static uint Address(Random random) => 0x0A000000u | ((uint)random.Next(4) << 16) | ((uint)random.Next(4) << 8) | (uint)random.Next(256);

    private static uint Mask(int prefix) => prefix == 0 ? 0 : uint.MaxValue << (32 - prefix);

    private static uint PrefixOf(TableEntry entry) =>
        (uint)(entry.Match.SingleOrDefault(m => m.FieldMatchTypeCase == FieldMatch.FieldMatchTypeOneofCase.Lpm)?.Lpm.PrefixLen ?? 0);
}
