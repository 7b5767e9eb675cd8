using Google.Protobuf;
using InfraManager.State;
using InfraManager.Tables;
using P4Pipeline;
using Packets;
using Proto.P4.V1;
using Xunit;
using static InfraManager.Tests.State.Requests;

namespace InfraManager.Tests.Tables;

public sealed class K8sDpTablesTests
{
    private static readonly K8sDpTables Tables = TableSamples.Tables;

    [Fact]
    public void Describe_PodRoute_NamesTableFieldActionAndParameters()
    {
        Assert.Equal(
            "k8s_dp_control.ipv4_to_port_table{hdr.ipv4.dst_addr=10.244.0.6} → k8s_dp_control.set_dest_mac_vport(p=2, new_dmac=02:00:00:00:00:06)",
            Tables.Describe(Tables.Ipv4Route(Ip("10.244.0.6"), 2, Mac("02:00:00:00:00:06"))));
    }

    [Fact]
    public void Describe_ArpEntry_ShowsTheTargetAddressDotted()
    {
        Assert.Equal(
            "k8s_dp_control.arpt_to_port_table{hdr.arp.tpa=10.244.0.6} → k8s_dp_control.set_dest_vport(p=2)",
            Tables.Describe(Tables.Arp(Ip("10.244.0.6"), 2)));
    }

    [Fact]
    public void Describe_BalanceEntry_ShowsItsGroup()
    {
        Assert.Equal(
            "k8s_dp_control.tx_balance_tcp{hdr.ipv4.dst_addr=10.96.0.10, hdr.tcp.dst_port=80} → group 1",
            Tables.Describe(Tables.Balance(Web, 1)));
        Assert.Equal(
            "k8s_dp_control.tx_balance_udp{hdr.ipv4.dst_addr=10.96.0.10, hdr.udp.dst_port=53} → group 7",
            Tables.Describe(Tables.Balance(Dns, 7)));
    }

    [Fact]
    public void Describe_NatEntries_ShowPointersAsNumbersAndAddressesDotted()
    {
        Assert.Equal(
            "k8s_dp_control.write_dest_ip_table{meta.mod_blob_ptr_dnat=16777215} → k8s_dp_control.update_dst_ip(new_ip=10.244.0.6, new_port=8080)",
            Tables.Describe(Tables.Dnat(IdAllocator.MaxId, Backend("10.244.0.6:8080"))));
        Assert.Equal(
            "k8s_dp_control.write_source_ip_table{meta.mod_blob_ptr_snat=3} → k8s_dp_control.update_src_ip(new_ip=10.96.0.10, new_port=80)",
            Tables.Describe(Tables.Snat(3, Web)));
        Assert.Equal(
            "k8s_dp_control.set_meta_udp{hdr.ipv4.dst_addr=10.244.0.9, hdr.udp.dst_port=53} → k8s_dp_control.set_key_for_reverse_ct(ptr=4)",
            Tables.Describe(Tables.ReverseKey(ServiceProtocol.Udp, Backend("10.244.0.9:53"), 4)));
    }

    [Fact]
    public void Describe_SelectorMemberAndGroup_NameTheSelector()
    {
        Assert.Equal("k8s_dp_control.as_sl3_tcp member 5 → k8s_dp_control.set_default_lb_dest(ptr=5)", Tables.Describe(Tables.Member(ServiceProtocol.Tcp, 5)));
        Assert.Equal("k8s_dp_control.as_sl3_udp group 2 [1 3 9]", Tables.Describe(Tables.Group(ServiceProtocol.Udp, 2, [9, 1, 3])));
        Assert.Equal("k8s_dp_control.as_sl3_udp group 2", Tables.Describe(Tables.Group(ServiceProtocol.Udp, 2, [])));
    }

    [Fact]
    public void Describe_IdsTheP4InfoDoesNotKnow_ShowsThemAsNumbers()
    {
        var entity = new Entity { TableEntry = new TableEntry { TableId = 42 } };
        entity.TableEntry.Match.Add(new FieldMatch { FieldId = 3, Exact = new FieldMatch.Types.Exact { Value = ByteString.CopyFrom(1, 0) } });
        entity.TableEntry.Action = new TableAction { Action = new Proto.P4.V1.Action { ActionId = 77 } };

        Assert.Equal("42{3=256} → 77()", Tables.Describe(entity));
    }

    [Fact]
    public void Arp_PortZero_IsOneZeroByte()
    {
        var entry = Tables.Arp(Ip("169.254.1.1"), 0).TableEntry;

        Assert.Equal(Bytes(0x00), entry.Action.Action.Params.Single().Value);
        Assert.Equal(Bytes(169, 254, 1, 1), entry.Match.Single().Exact.Value);
    }

    [Fact]
    public void Ipv4Route_Values_AreCanonicalByteStrings()
    {
        var entry = Tables.Ipv4Route(Ip("10.0.0.1"), 2, Mac("00:00:00:00:01:02")).TableEntry;

        Assert.Equal(Bytes(10, 0, 0, 1), entry.Match.Single().Exact.Value);
        Assert.Equal([Bytes(2), Bytes(1, 2)], entry.Action.Action.Params.OrderBy(p => p.ParamId).Select(p => p.Value));
    }

    [Fact]
    public void Member_IdOne_IsOneByte()
    {
        var member = Tables.Member(ServiceProtocol.Tcp, 1).ActionProfileMember;

        Assert.Equal(1u, member.MemberId);
        Assert.Equal(Bytes(1), member.Action.Params.Single().Value);
        Assert.Equal(Bytes(1), Tables.Dnat(1, Backend("10.244.0.6:80")).TableEntry.Match.Single().Exact.Value);
    }

    [Fact]
    public void Balance_Port_IsItsSignificantBytes()
    {
        var entry = Tables.Balance(Web with { Port = 8080 }, 1).TableEntry;

        Assert.Equal([Bytes(10, 96, 0, 10), Bytes(0x1F, 0x90)], entry.Match.OrderBy(m => m.FieldId).Select(m => m.Exact.Value));
        Assert.Equal(1u, entry.Action.ActionProfileGroupId);
    }

    [Fact]
    public void Group_Members_AreSortedWithWeightOne()
    {
        var group = Tables.Group(ServiceProtocol.Tcp, 1, [3, 1, 2]).ActionProfileGroup;

        Assert.Equal([1u, 2u, 3u], group.Members.Select(m => m.MemberId));
        Assert.All(group.Members, m => Assert.Equal(1, m.Weight));
    }

    [Fact]
    public void Normalize_EntryAsATargetMayReturnIt_IsTheEntryAsBuilt()
    {
        var built = Tables.Ipv4Route(Ip("10.0.0.1"), 2, Mac("02:00:00:00:00:02"));
        var read = built.Clone();
        read.TableEntry.Match[0].Exact.Value = Bytes(0, 0, 10, 0, 0, 1);
        read.TableEntry.Action.Action.Params[0].Value = Bytes(0, 0, 0, 2);
        var parameters = read.TableEntry.Action.Action.Params.Reverse().ToList();
        read.TableEntry.Action.Action.Params.Clear();
        read.TableEntry.Action.Action.Params.Add(parameters);
        read.TableEntry.MeterConfig = new MeterConfig { Cir = 5 };
        read.TableEntry.TimeSinceLastHit = new TableEntry.Types.IdleTimeout { ElapsedNs = 1000 };

        Assert.Equal(built, K8sDpTables.Normalize(read));
    }

    [Fact]
    public void Normalize_GroupAsATargetMayReturnIt_IsTheGroupAsBuilt()
    {
        var built = Tables.Group(ServiceProtocol.Tcp, 1, [1, 2]);
        var read = new Entity { ActionProfileGroup = new ActionProfileGroup { ActionProfileId = built.ActionProfileGroup.ActionProfileId, GroupId = 1, MaxSize = 64 } };
        read.ActionProfileGroup.Members.Add(new ActionProfileGroup.Types.Member { MemberId = 2 });
        read.ActionProfileGroup.Members.Add(new ActionProfileGroup.Types.Member { MemberId = 1 });

        Assert.Equal(built, K8sDpTables.Normalize(read));
    }

    [Fact]
    public void Normalize_MemberWithPaddedParameter_IsTheMemberAsBuilt()
    {
        var built = Tables.Member(ServiceProtocol.Udp, 3);
        var read = built.Clone();
        read.ActionProfileMember.Action.Params[0].Value = Bytes(0, 0, 3);

        Assert.Equal(built, K8sDpTables.Normalize(read));
    }

    [Fact]
    public void OwnedFilters_EveryWrittenTableAndBothSelectors_NotTheLearningTables()
    {
        var filters = Tables.OwnedFilters();

        Assert.Equal(17 + 4, filters.Count);
        Assert.Equal(
            [
                "acl_ipset_match_table_egress", "acl_ipset_match_table_ingress", "acl_pod_ip_proto_table_egress", "acl_pod_ip_proto_table_ingress",
                "arpt_to_port_table", "icmp_type_code_check_table", "ipv4_to_port_table", "sctp_dport_rc_table", "set_meta_tcp", "set_meta_udp",
                "tcp_dport_rc_table", "tx_balance_tcp", "tx_balance_udp", "udp_dport_rc_table", "udpl_dport_rc_table", "write_dest_ip_table", "write_source_ip_table",
            ],
            filters.Where(f => f.EntityCase == Entity.EntityOneofCase.TableEntry).Select(f => Tables.Index.Tables[f.TableEntry.TableId].Alias).Order(StringComparer.Ordinal));
        Assert.False(Tables.Owns(new EntityKey(EntityKind.TableEntry, Tables.Index.Table("pinned_flows").Id, ByteString.Empty)));
        Assert.False(Tables.Owns(new EntityKey(EntityKind.TableEntry, Tables.Index.Table("acl_conntrack").Id, ByteString.Empty)));
        Assert.True(Tables.Owns(EntityKey.Of(Tables.Member(ServiceProtocol.Udp, 1))));
    }

    [Fact]
    public void Constructor_P4InfoWithoutATableItWrites_ThrowsNamingIt()
    {
        var error = Assert.Throws<P4InfoException>(() => TableSamples.Edited(info =>
        {
            var table = info.Tables.Single(t => t.Preamble.Name == "k8s_dp_control.set_meta_udp");
            info.Tables.Remove(table);
        }));

        Assert.Equal("the P4Info has no table 'k8s_dp_control.set_meta_udp'", error.Message);
    }

    private static ByteString Bytes(params byte[] value) => ByteString.CopyFrom(value);
}
