using InfraManager.Policy;
using P4Pipeline;
using Proto.P4.V1;
using Action = Proto.P4.V1.Action;

namespace InfraManager.Tables;

/// <summary>The ACL stages (reference-behaviour.md 2.4 with its defects fixed: the range-check ref names the protocol's table, all 16 parameters are sent, 8-bit values are one byte).</summary>
internal sealed partial class K8sDpTables
{
    private AclTables _acl = null!; // set by the constructor through ResolveAcl

    /// <summary>The pod-address tables, whose entries point at rule groups (written after them, deleted before them).</summary>
    private IReadOnlyList<TableInfo> ResolveAcl(P4InfoIndex index)
    {
        var bounds = Enumerable.Range(0, AclGroup.MaxSlots).SelectMany(i => new[] { $"min{i}", $"max{i}" }).ToArray();
        RangeCheckTable RangeCheck(string table, string action)
        {
            var info = index.Action(Control + action);
            if (info.Params.Count != bounds.Length)
            {
                throw new P4InfoException($"action {info.Name} has {info.Params.Count} parameters, the manager sends {bounds.Length}");
            }

            return new RangeCheckTable(new PodTable(index.Table(Control + table), "meta.acl_pol_id"), new ActionRef(info, bounds));
        }

        var rangeChecks = new Dictionary<byte, RangeCheckTable>
        {
            [1] = RangeCheck("tcp_dport_rc_table", "do_range_check_tcp"),
            [2] = RangeCheck("udp_dport_rc_table", "do_range_check_udp"),
            [3] = RangeCheck("sctp_dport_rc_table", "do_range_check_sctp"),
            [4] = RangeCheck("udpl_dport_rc_table", "do_range_check_udplite"),
            [5] = RangeCheck("icmp_type_code_check_table", "do_icmp_type_code_check"),
        };

        _acl = new AclTables(
            PodIngress: new PodTable(index.Table(Control + "acl_pod_ip_proto_table_ingress"), "hdr.ipv4.dst_addr"),
            PodEgress: new PodTable(index.Table(Control + "acl_pod_ip_proto_table_egress"), "hdr.ipv4.src_addr"),
            IpSetIngress: new PodTable(index.Table(Control + "acl_ipset_match_table_ingress"), "meta.acl_pol_id", "hdr.ipv4.src_addr"),
            IpSetEgress: new PodTable(index.Table(Control + "acl_ipset_match_table_egress"), "meta.acl_pol_id", "hdr.ipv4.dst_addr"),
            RangeChecks: rangeChecks,
            MatchIpSetOnly: new ActionRef(index.Action(Control + "set_status_match_ipset_only"), "pol_id"),
            SetRangeCheckRef: new ActionRef(index.Action(Control + "set_range_check_ref"), "pol_id", "range_check_ref"),
            DenyAll: new ActionRef(index.Action(Control + "set_status_deny_all")),
            NoAction: new ActionRef(index.Action("NoAction")),
            IpSetMatchResult: new ActionRef(index.Action(Control + "set_ipset_match_result"), "ipset_matched_mask"));
        return [_acl.PodIngress.Info, _acl.PodEgress.Info, _acl.IpSetIngress.Info, _acl.IpSetEgress.Info, .. rangeChecks.Values.Select(r => r.Table.Info)];
    }

    /// <summary>acl_pod_ip_proto_table_{ingress,egress} {pod address, protocol/8 or omitted} → the verdict's action.</summary>
    public Entity PodAcl(PodAcl pod, byte groupId)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var table = pod.Direction == AclDirection.Ingress ? _acl.PodIngress : _acl.PodEgress;
        var action = pod.Verdict switch
        {
            AclVerdict.AllowAll => _acl.NoAction.Call(),
            AclVerdict.DenyAll => _acl.DenyAll.Call(),
            _ when pod.Group!.RangeCheckRef == 0 => _acl.MatchIpSetOnly.Call(groupId), // Group is set with the Group verdict
            _ => _acl.SetRangeCheckRef.Call(groupId, pod.Group.RangeCheckRef),
        };
        return table.Entry(action, pod.Address, pod.Protocol is { } protocol ? (protocol, 8) : null);
    }

    /// <summary>A rule group's entries: acl_ipset_match_table_* per prefix (0.0.0.0/0 omits the field), and its range check with all 16 bounds (unused slots: 1..0, never true).</summary>
    public IEnumerable<Entity> AclGroupEntries(AclGroup group, byte groupId)
    {
        ArgumentNullException.ThrowIfNull(group);
        var ipSets = group.Direction == AclDirection.Ingress ? _acl.IpSetIngress : _acl.IpSetEgress;
        foreach (var (prefix, mask) in group.PrefixMasks())
        {
            yield return ipSets.Entry(_acl.IpSetMatchResult.Call(mask), groupId, prefix.IsAny ? null : (prefix.Network, prefix.Length));
        }

        if (group.RangeCheckRef != 0)
        {
            var rangeCheck = _acl.RangeChecks[group.RangeCheckRef];
            var bounds = new ulong[2 * AclGroup.MaxSlots];
            for (var i = 0; i < AclGroup.MaxSlots; i++)
            {
                (bounds[2 * i], bounds[(2 * i) + 1]) = i < group.Slots.Count ? (group.Slots[i].Range.First, group.Slots[i].Range.Last) : (1UL, 0UL);
            }

            yield return rangeCheck.Table.Entry(rangeCheck.Action.Call(bounds), groupId, null);
        }
    }

    private sealed record AclTables(
        PodTable PodIngress,
        PodTable PodEgress,
        PodTable IpSetIngress,
        PodTable IpSetEgress,
        IReadOnlyDictionary<byte, RangeCheckTable> RangeChecks,
        ActionRef MatchIpSetOnly,
        ActionRef SetRangeCheckRef,
        ActionRef DenyAll,
        ActionRef NoAction,
        ActionRef IpSetMatchResult);

    /// <summary>A range-check table (keyed by pol_id) and its do_range_check action with all 16 bounds.</summary>
    private sealed record RangeCheckTable(PodTable Table, ActionRef Action);

    /// <summary>A table keyed by one exact field and, in the pod and ipset tables, one LPM field (omitted from the entry when the prefix is /0).</summary>
    private sealed class PodTable
    {
        private readonly uint _exactId;
        private readonly uint _lpmId;

        public PodTable(TableInfo info, string exact, string? lpm = null)
        {
            Info = info;
            _exactId = info.Field(exact).Id;
            var lpmFields = info.MatchFields.Where(f => f.MatchType == Proto.P4.Config.V1.MatchField.Types.MatchType.Lpm).ToList();
            _lpmId = lpm is not null ? info.Field(lpm).Id : lpmFields.SingleOrDefault()?.Id ?? 0;
            var fields = _lpmId == 0 ? 1 : 2;
            if (info.MatchFields.Count != fields)
            {
                throw new P4InfoException($"table {info.Name} has {info.MatchFields.Count} match fields, the manager writes {fields}");
            }
        }

        public TableInfo Info { get; }

        public Entity Entry(Action action, ulong exact, (ulong Value, int Length)? lpm)
        {
            var entry = new TableEntry { TableId = Info.Id, Action = new TableAction { Action = action } };
            entry.Match.Add(new FieldMatch { FieldId = _exactId, Exact = new FieldMatch.Types.Exact { Value = P4Bytes.FromUInt(exact) } });
            if (lpm is { } prefix)
            {
                entry.Match.Add(new FieldMatch { FieldId = _lpmId, Lpm = new FieldMatch.Types.LPM { Value = P4Bytes.FromUInt(prefix.Value), PrefixLen = prefix.Length } });
            }

            return new Entity { TableEntry = entry };
        }
    }
}
