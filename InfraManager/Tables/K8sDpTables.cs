using System.Globalization;
using System.Text;
using Google.Protobuf;
using InfraManager.State;
using P4Pipeline;
using Packets;
using Proto.P4.V1;
using Action = Proto.P4.V1.Action;

namespace InfraManager.Tables;

/// <summary>
/// The k8s_dp tables, actions and action selectors the manager writes, resolved by name from the
/// target's P4Info (the only place the P4 names are spelt), and the entities it writes into them
/// (reference-behaviour.md 4.1-4.7). Values are sent as canonical byte strings.
/// </summary>
internal sealed partial class K8sDpTables
{
    private const string Control = "k8s_dp_control.";

    private readonly P4InfoIndex _index;
    private readonly KeyedTable _arp;
    private readonly KeyedTable _ipv4;
    private readonly KeyedTable _dnat;
    private readonly KeyedTable _snat;
    private readonly ActionRef _setDestVport;
    private readonly ActionRef _setDestMacVport;
    private readonly ActionRef _updateDstIp;
    private readonly ActionRef _updateSrcIp;
    private readonly ActionRef _setDefaultLbDest;
    private readonly ActionRef _setKeyForReverseCt;
    private readonly ProtocolTables _tcp;
    private readonly ProtocolTables _udp;

    /// <exception cref="P4InfoException">The pipeline lacks a table, field, action or parameter the manager writes.</exception>
    public K8sDpTables(P4InfoIndex index)
    {
        ArgumentNullException.ThrowIfNull(index);
        _index = index;
        _arp = new KeyedTable(index.Table(Control + "arpt_to_port_table"), "hdr.arp.tpa");
        _ipv4 = new KeyedTable(index.Table(Control + "ipv4_to_port_table"), "hdr.ipv4.dst_addr");
        _dnat = new KeyedTable(index.Table(Control + "write_dest_ip_table"), "meta.mod_blob_ptr_dnat");
        _snat = new KeyedTable(index.Table(Control + "write_source_ip_table"), "meta.mod_blob_ptr_snat");
        _setDestVport = new ActionRef(index.Action(Control + "set_dest_vport"), "p");
        _setDestMacVport = new ActionRef(index.Action(Control + "set_dest_mac_vport"), "p", "new_dmac");
        _updateDstIp = new ActionRef(index.Action(Control + "update_dst_ip"), "new_ip", "new_port");
        _updateSrcIp = new ActionRef(index.Action(Control + "update_src_ip"), "new_ip", "new_port");
        _setDefaultLbDest = new ActionRef(index.Action(Control + "set_default_lb_dest"), "ptr");
        _setKeyForReverseCt = new ActionRef(index.Action(Control + "set_key_for_reverse_ct"), "ptr");
        _tcp = new ProtocolTables(
            index.ActionProfile(Control + "as_sl3_tcp"),
            new KeyedTable(index.Table(Control + "tx_balance_tcp"), "hdr.ipv4.dst_addr", "hdr.tcp.dst_port"),
            new KeyedTable(index.Table(Control + "set_meta_tcp"), "hdr.ipv4.dst_addr", "hdr.tcp.dst_port"));
        _udp = new ProtocolTables(
            index.ActionProfile(Control + "as_sl3_udp"),
            new KeyedTable(index.Table(Control + "tx_balance_udp"), "hdr.ipv4.dst_addr", "hdr.udp.dst_port"),
            new KeyedTable(index.Table(Control + "set_meta_udp"), "hdr.ipv4.dst_addr", "hdr.udp.dst_port"));
        var acl = ResolveAcl(index);
        WrittenTables = [_arp.Info, _ipv4.Info, _dnat.Info, _snat.Info, _tcp.Balance.Info, _udp.Balance.Info, _tcp.ReverseKey.Info, _udp.ReverseKey.Info, .. acl];
        Profiles = [_tcp.Profile, _udp.Profile];
        ReferringTableIds = new HashSet<uint> { _tcp.Balance.Info.Id, _udp.Balance.Info.Id, _acl.PodIngress.Info.Id, _acl.PodEgress.Info.Id };
    }

    public P4InfoIndex Index => _index;

    /// <summary>Every table the manager owns (all but the learning tables pinned_flows* and acl_conntrack).</summary>
    public IReadOnlyList<TableInfo> WrittenTables { get; }

    /// <summary>The two action selectors (members and groups).</summary>
    public IReadOnlyList<ActionProfileInfo> Profiles { get; }

    /// <summary>Tables whose entries point at other entities: tx_balance_* at selector groups, the ACL pod tables at rule groups (written after them, deleted before them).</summary>
    public IReadOnlySet<uint> ReferringTableIds { get; }

    /// <summary>arpt_to_port_table {hdr.arp.tpa = ip} → set_dest_vport(p = port).</summary>
    public Entity Arp(IPv4Address ip, uint port) => _arp.Entry(_setDestVport.Call(port), ip.Value);

    /// <summary>ipv4_to_port_table {hdr.ipv4.dst_addr = ip} → set_dest_mac_vport(p = port, new_dmac = mac).</summary>
    public Entity Ipv4Route(IPv4Address ip, uint port, MacAddress mac) => _ipv4.Entry(_setDestMacVport.Call(port, mac.Value), ip.Value);

    /// <summary>write_dest_ip_table {meta.mod_blob_ptr_dnat = ptr} → update_dst_ip(new_ip, new_port): DNAT to a backend.</summary>
    public Entity Dnat(uint ptr, BackendAddress backend) => _dnat.Entry(_updateDstIp.Call(backend.Ip.Value, backend.Port), ptr);

    /// <summary>write_source_ip_table {meta.mod_blob_ptr_snat = group} → update_src_ip(new_ip, new_port): replies leave as the service.</summary>
    public Entity Snat(uint groupId, ServiceKey service) => _snat.Entry(_updateSrcIp.Call(service.ClusterIp.Value, service.Port), groupId);

    /// <summary>Selector member {member_id} → set_default_lb_dest(ptr = member_id).</summary>
    public Entity Member(ServiceProtocol protocol, uint memberId) => new()
    {
        ActionProfileMember = new ActionProfileMember
        {
            ActionProfileId = Tables(protocol).Profile.Id,
            MemberId = memberId,
            Action = _setDefaultLbDest.Call(memberId),
        },
    };

    /// <summary>Selector group {group_id} with the given members, each weight 1.</summary>
    public Entity Group(ServiceProtocol protocol, uint groupId, IEnumerable<uint> memberIds)
    {
        ArgumentNullException.ThrowIfNull(memberIds);
        var group = new ActionProfileGroup { ActionProfileId = Tables(protocol).Profile.Id, GroupId = groupId };
        foreach (var id in memberIds.Order())
        {
            group.Members.Add(new ActionProfileGroup.Types.Member { MemberId = id, Weight = 1 });
        }

        return new Entity { ActionProfileGroup = group };
    }

    /// <summary>tx_balance_{tcp,udp} {dst_addr = cluster ip, dst_port = port} → group.</summary>
    public Entity Balance(ServiceKey service, uint groupId)
    {
        var entity = Tables(service.Protocol).Balance.Entry(null, service.ClusterIp.Value, service.Port);
        entity.TableEntry.Action = new TableAction { ActionProfileGroupId = groupId };
        return entity;
    }

    /// <summary>set_meta_{tcp,udp} {dst_addr = backend ip, dst_port = backend port} → set_key_for_reverse_ct(ptr = group).</summary>
    public Entity ReverseKey(ServiceProtocol protocol, BackendAddress backend, uint groupId) =>
        Tables(protocol).ReverseKey.Entry(_setKeyForReverseCt.Call(groupId), backend.Ip.Value, backend.Port);

    /// <summary>Read filters for everything the manager owns: each written table, and the members and groups of each selector.</summary>
    public IReadOnlyList<Entity> OwnedFilters()
    {
        var filters = new List<Entity>();
        foreach (var table in WrittenTables)
        {
            filters.Add(new Entity { TableEntry = new TableEntry { TableId = table.Id } });
        }

        foreach (var profile in Profiles)
        {
            filters.Add(new Entity { ActionProfileMember = new ActionProfileMember { ActionProfileId = profile.Id } });
            filters.Add(new Entity { ActionProfileGroup = new ActionProfileGroup { ActionProfileId = profile.Id } });
        }

        return filters;
    }

    /// <summary>Whether <paramref name="key"/> lives in a table or selector the manager owns.</summary>
    public bool Owns(EntityKey key) => key.Kind == EntityKind.TableEntry
        ? WrittenTables.Any(t => t.Id == key.Id)
        : Profiles.Any(p => p.Id == key.Id);

    /// <summary>
    /// The entity as the comparison between what we want and what the target holds sees it: match
    /// fields and parameters by id with canonical values, group members by id with weights of at least
    /// 1, and nothing the target may fill in on its own (counters, meters, timestamps, max_size).
    /// </summary>
    public static Entity Normalize(Entity entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        switch (entity.EntityCase)
        {
            case Entity.EntityOneofCase.TableEntry:
                var written = entity.TableEntry;
                var entry = new TableEntry { TableId = written.TableId, Priority = written.Priority, Action = NormalizeAction(written.Action) };
                foreach (var match in written.Match.OrderBy(m => m.FieldId))
                {
                    var copy = match.Clone();
                    if (copy.FieldMatchTypeCase == FieldMatch.FieldMatchTypeOneofCase.Exact)
                    {
                        copy.Exact.Value = P4Bytes.Canonical(copy.Exact.Value.Span);
                    }
                    else if (copy.FieldMatchTypeCase == FieldMatch.FieldMatchTypeOneofCase.Lpm)
                    {
                        copy.Lpm.Value = P4Bytes.Canonical(copy.Lpm.Value.Span);
                    }

                    entry.Match.Add(copy);
                }

                return new Entity { TableEntry = entry };
            case Entity.EntityOneofCase.ActionProfileMember:
                var member = entity.ActionProfileMember;
                return new Entity
                {
                    ActionProfileMember = new ActionProfileMember
                    {
                        ActionProfileId = member.ActionProfileId,
                        MemberId = member.MemberId,
                        Action = member.Action is null ? null : NormalizeParams(member.Action),
                    },
                };
            case Entity.EntityOneofCase.ActionProfileGroup:
                var group = entity.ActionProfileGroup;
                var normalized = new ActionProfileGroup { ActionProfileId = group.ActionProfileId, GroupId = group.GroupId };
                foreach (var m in group.Members.OrderBy(m => m.MemberId))
                {
                    normalized.Members.Add(new ActionProfileGroup.Types.Member { MemberId = m.MemberId, Weight = Math.Max(1, m.Weight) });
                }

                return new Entity { ActionProfileGroup = normalized };
            default:
                return entity.Clone();
        }
    }

    /// <summary>One line naming the entity by its P4 names, e.g. k8s_dp_control.ipv4_to_port_table{hdr.ipv4.dst_addr=10.244.0.6} → set_dest_mac_vport(p=2, new_dmac=02:00:00:00:00:02).</summary>
    public string Describe(Entity entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        var text = new StringBuilder();
        switch (entity.EntityCase)
        {
            case Entity.EntityOneofCase.TableEntry:
                var entry = entity.TableEntry;
                var table = _index.Tables.GetValueOrDefault(entry.TableId);
                text.Append(table?.Name ?? entry.TableId.ToString(CultureInfo.InvariantCulture)).Append('{');
                var first = true;
                foreach (var match in entry.Match.OrderBy(m => m.FieldId))
                {
                    var field = table?.FindField(match.FieldId);
                    text.Append(first ? string.Empty : ", ").Append(field?.Name ?? match.FieldId.ToString(CultureInfo.InvariantCulture)).Append('=');
                    text.Append(match.FieldMatchTypeCase switch
                    {
                        FieldMatch.FieldMatchTypeOneofCase.Exact => Value(match.Exact.Value, field?.BitWidth ?? 0, field?.Name),
                        FieldMatch.FieldMatchTypeOneofCase.Lpm => $"{Value(match.Lpm.Value, field?.BitWidth ?? 0, field?.Name)}/{match.Lpm.PrefixLen}",
                        _ => match.ToString(),
                    });
                    first = false;
                }

                text.Append('}');
                if (entry.Action is { } tableAction)
                {
                    text.Append(" → ");
                    if (tableAction.TypeCase == TableAction.TypeOneofCase.ActionProfileGroupId)
                    {
                        text.Append("group ").Append(tableAction.ActionProfileGroupId);
                    }
                    else if (tableAction.Action is { } action)
                    {
                        DescribeAction(text, action);
                    }
                }

                break;
            case Entity.EntityOneofCase.ActionProfileMember:
                var member = entity.ActionProfileMember;
                text.Append(ProfileName(member.ActionProfileId)).Append(" member ").Append(member.MemberId);
                if (member.Action is { } memberAction)
                {
                    text.Append(" → ");
                    DescribeAction(text, memberAction);
                }

                break;
            case Entity.EntityOneofCase.ActionProfileGroup:
                var group = entity.ActionProfileGroup;
                text.Append(ProfileName(group.ActionProfileId)).Append(" group ").Append(group.GroupId);
                if (group.Members.Count > 0)
                {
                    text.Append(" [").AppendJoin(' ', group.Members.Select(m => m.MemberId)).Append(']');
                }

                break;
            default:
                text.Append(entity.EntityCase);
                break;
        }

        return text.ToString();
    }

    /// <summary>The name of a table or profile id, for messages.</summary>
    public string NameOf(EntityKey key) => key.Kind == EntityKind.TableEntry
        ? _index.Tables.GetValueOrDefault(key.Id)?.Name ?? key.Id.ToString(CultureInfo.InvariantCulture)
        : ProfileName(key.Id);

    private string ProfileName(uint id) => _index.ActionProfiles.GetValueOrDefault(id)?.Name ?? id.ToString(CultureInfo.InvariantCulture);

    private void DescribeAction(StringBuilder text, Action action)
    {
        var info = _index.Actions.GetValueOrDefault(action.ActionId);
        text.Append(info?.Name ?? action.ActionId.ToString(CultureInfo.InvariantCulture)).Append('(');
        var first = true;
        foreach (var param in action.Params.OrderBy(p => p.ParamId))
        {
            var paramInfo = info?.FindParam(param.ParamId);
            text.Append(first ? string.Empty : ", ").Append(paramInfo?.Name ?? param.ParamId.ToString(CultureInfo.InvariantCulture)).Append('=').Append(Value(param.Value, paramInfo?.BitWidth ?? 0, paramInfo?.Name));
            first = false;
        }

        text.Append(')');
    }

    // In k8s_dp, 32-bit addresses (dst_addr, tpa, new_ip...) read best dotted and 48-bit values are MACs; the rest are numbers.
    private static string Value(ByteString value, int bitWidth, string? name)
    {
        var number = P4Bytes.BitLength(value.Span) <= 64 ? P4Bytes.ToUInt64(value.Span) : 0;
        var address = name is not null && (name.EndsWith("addr", StringComparison.Ordinal) || name.EndsWith("tpa", StringComparison.Ordinal) || name.EndsWith("_ip", StringComparison.Ordinal));
        return bitWidth switch
        {
            32 when address && number <= uint.MaxValue => new IPv4Address((uint)number).ToString(),
            48 when number <= 0xFFFF_FFFF_FFFF => new MacAddress(number).ToString(),
            _ => number.ToString(CultureInfo.InvariantCulture),
        };
    }

    private static TableAction? NormalizeAction(TableAction? action) => action?.TypeCase switch
    {
        TableAction.TypeOneofCase.Action => new TableAction { Action = NormalizeParams(action.Action) },
        TableAction.TypeOneofCase.ActionProfileGroupId => new TableAction { ActionProfileGroupId = action.ActionProfileGroupId },
        TableAction.TypeOneofCase.ActionProfileMemberId => new TableAction { ActionProfileMemberId = action.ActionProfileMemberId },
        _ => action?.Clone(),
    };

    private static Action NormalizeParams(Action action)
    {
        var normalized = new Action { ActionId = action.ActionId };
        foreach (var param in action.Params.OrderBy(p => p.ParamId))
        {
            normalized.Params.Add(new Action.Types.Param { ParamId = param.ParamId, Value = P4Bytes.Canonical(param.Value.Span) });
        }

        return normalized;
    }

    private ProtocolTables Tables(ServiceProtocol protocol) => protocol == ServiceProtocol.Tcp ? _tcp : _udp;

    private sealed record ProtocolTables(ActionProfileInfo Profile, KeyedTable Balance, KeyedTable ReverseKey);

    /// <summary>A table with its key fields resolved in the order the entity builders pass values.</summary>
    private sealed class KeyedTable
    {
        private readonly uint[] _fieldIds;

        public KeyedTable(TableInfo info, params string[] fields)
        {
            Info = info;
            _fieldIds = [.. fields.Select(f => info.Field(f).Id)];
            if (_fieldIds.Length != info.MatchFields.Count)
            {
                throw new P4InfoException($"table {info.Name} has {info.MatchFields.Count} match fields, the manager writes {_fieldIds.Length}");
            }
        }

        public TableInfo Info { get; }

        public Entity Entry(Action? action, params ulong[] values)
        {
            var entry = new TableEntry { TableId = Info.Id };
            for (var i = 0; i < _fieldIds.Length; i++)
            {
                entry.Match.Add(new FieldMatch { FieldId = _fieldIds[i], Exact = new FieldMatch.Types.Exact { Value = P4Bytes.FromUInt(values[i]) } });
            }

            if (action is not null)
            {
                entry.Action = new TableAction { Action = action };
            }

            return new Entity { TableEntry = entry };
        }
    }

    /// <summary>An action with its parameters resolved in the order the builders pass values.</summary>
    private sealed class ActionRef
    {
        private readonly uint _id;
        private readonly uint[] _paramIds;

        public ActionRef(ActionInfo info, params string[] parameters)
        {
            _id = info.Id;
            _paramIds = [.. parameters.Select(p => info.Param(p).Id)];
        }

        public Action Call(params ulong[] values)
        {
            var action = new Action { ActionId = _id };
            for (var i = 0; i < _paramIds.Length; i++)
            {
                action.Params.Add(new Action.Types.Param { ParamId = _paramIds[i], Value = P4Bytes.FromUInt(values[i]) });
            }

            return action;
        }
    }
}
