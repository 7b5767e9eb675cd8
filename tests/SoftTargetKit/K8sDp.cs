using Google.Protobuf;
using P4Pipeline;
using Proto.P4.V1;
using Action = Proto.P4.V1.Action;

namespace SoftTargetKit;

/// <summary>Builds k8s_dp entities by name from the real p4Info.txt, as a controller would.</summary>
public static class K8sDp
{
    public static P4InfoIndex Names { get; } = P4InfoIndex.Build(SoftTargetProcess.K8sDpP4Info);

    public static TableEntry Entry(string table, params (string Field, ulong Value)[] keys)
    {
        var info = Names.Table(table);
        var entry = new TableEntry { TableId = info.Id };
        foreach (var (field, value) in keys)
        {
            entry.Match.Add(new FieldMatch { FieldId = info.Field(field).Id, Exact = new FieldMatch.Types.Exact { Value = P4Bytes.FromUInt(value) } });
        }

        return entry;
    }

    /// <summary>Adds an LPM match of <paramref name="value"/>/<paramref name="prefixLength"/> (host bits must be zero); a don't-care field is left out instead.</summary>
    public static TableEntry WithLpm(this TableEntry entry, string field, ulong value, int prefixLength)
    {
        var info = Names.Tables[entry.TableId];
        entry.Match.Add(new FieldMatch { FieldId = info.Field(field).Id, Lpm = new FieldMatch.Types.LPM { Value = P4Bytes.FromUInt(value), PrefixLen = prefixLength } });
        return entry;
    }

    public static TableEntry With(this TableEntry entry, string action, params (string Param, ulong Value)[] parameters)
    {
        entry.Action = new TableAction { Action = Act(action, parameters) };
        return entry;
    }

    public static TableEntry WithGroup(this TableEntry entry, uint groupId)
    {
        entry.Action = new TableAction { ActionProfileGroupId = groupId };
        return entry;
    }

    public static Action Act(string action, params (string Param, ulong Value)[] parameters)
    {
        var info = Names.Action(action);
        var result = new Action { ActionId = info.Id };
        foreach (var (param, value) in parameters)
        {
            result.Params.Add(new Action.Types.Param { ParamId = info.Param(param).Id, Value = P4Bytes.FromUInt(value) });
        }

        return result;
    }

    public static ActionProfileMember Member(string profile, uint id, ulong modPtr) => new()
    {
        ActionProfileId = Names.ActionProfile(profile).Id,
        MemberId = id,
        Action = Act("set_default_lb_dest", ("ptr", modPtr)),
    };

    public static ActionProfileGroup Group(string profile, uint id, params uint[] members)
    {
        var group = new ActionProfileGroup { ActionProfileId = Names.ActionProfile(profile).Id, GroupId = id };
        group.Members.AddRange(members.Select(m => new ActionProfileGroup.Types.Member { MemberId = m }));
        return group;
    }

    public static uint Ip(string address) => System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(System.Net.IPAddress.Parse(address).GetAddressBytes());

    public static Update Insert(TableEntry entry) => new() { Type = Update.Types.Type.Insert, Entity = new Entity { TableEntry = entry } };

    public static Update Modify(TableEntry entry) => new() { Type = Update.Types.Type.Modify, Entity = new Entity { TableEntry = entry } };

    public static Update Delete(TableEntry entry) => new() { Type = Update.Types.Type.Delete, Entity = new Entity { TableEntry = entry } };

    public static Update Insert(ActionProfileMember member) => new() { Type = Update.Types.Type.Insert, Entity = new Entity { ActionProfileMember = member } };

    public static Update Delete(ActionProfileMember member) => new() { Type = Update.Types.Type.Delete, Entity = new Entity { ActionProfileMember = member } };

    public static Update Insert(ActionProfileGroup group) => new() { Type = Update.Types.Type.Insert, Entity = new Entity { ActionProfileGroup = group } };

    public static Update Modify(ActionProfileGroup group) => new() { Type = Update.Types.Type.Modify, Entity = new Entity { ActionProfileGroup = group } };

    public static Update Delete(ActionProfileGroup group) => new() { Type = Update.Types.Type.Delete, Entity = new Entity { ActionProfileGroup = group } };

    /// <summary>The pod route of reference-behaviour.md 4.2: ipv4_to_port_table {ip} -> set_dest_mac_vport(port, mac).</summary>
    public static TableEntry PodRoute(string ip, uint port = 2, ulong mac = 0x02_00_00_00_00_02) =>
        Entry("ipv4_to_port_table", ("hdr.ipv4.dst_addr", Ip(ip))).With("set_dest_mac_vport", ("p", port), ("new_dmac", mac));

    public static ByteString Bytes(params byte[] value) => ByteString.CopyFrom(value);
}
