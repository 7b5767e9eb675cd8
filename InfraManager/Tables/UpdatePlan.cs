using Proto.P4.V1;

namespace InfraManager.Tables;

/// <summary>
/// Orders changes into writes that never leave a reference dangling, since a target may apply the
/// updates of one WriteRequest in any order (p4runtime-semantics.md, Write). Make before break:
/// 1. new and changed members and plain entries (DNAT, SNAT, reverse keys, pod routes, ACL rule groups);
/// 2. new and changed groups (a group gains its new members and drops its old ones here);
/// 3. entries that point at groups (tx_balance_* at selector groups, ACL pod entries at rule groups): inserted, changed and deleted;
/// 4. deleted groups;
/// 5. deleted members and plain entries.
/// </summary>
internal static class UpdatePlan
{
    public static IReadOnlyList<IReadOnlyList<EntityChange>> Phases(IEnumerable<EntityChange> changes, K8sDpTables tables)
    {
        ArgumentNullException.ThrowIfNull(changes);
        ArgumentNullException.ThrowIfNull(tables);
        var phases = new List<EntityChange>[5];
        for (var i = 0; i < phases.Length; i++)
        {
            phases[i] = [];
        }

        foreach (var change in changes)
        {
            var delete = change.Type == Update.Types.Type.Delete;
            var phase = change.Key.Kind switch
            {
                EntityKind.ActionProfileGroup => delete ? 3 : 1,
                EntityKind.TableEntry when tables.ReferringTableIds.Contains(change.Key.Id) => 2,
                _ => delete ? 4 : 0,
            };
            phases[phase].Add(change);
        }

        return [.. phases.Where(p => p.Count > 0)];
    }
}
