using Google.Protobuf;
using InfraManager.State;
using InfraManager.Tables;
using Packets;
using Proto.P4.V1;
using Xunit;
using static InfraManager.Tests.State.Requests;

namespace InfraManager.Tests.Tables;

public sealed class DesiredEntitiesTests
{
    private const string GatewayArp = "k8s_dp_control.arpt_to_port_table{hdr.arp.tpa=169.254.1.1} → k8s_dp_control.set_dest_vport(p=0)";

    // Web (10.96.0.10:80/TCP) with backends 10.244.0.6:8080 and 10.244.0.7:8080: group 1, members 1 and 2.
    private static readonly string[] WebEntities =
    [
        "k8s_dp_control.as_sl3_tcp member 1 → k8s_dp_control.set_default_lb_dest(ptr=1)",
        "k8s_dp_control.as_sl3_tcp member 2 → k8s_dp_control.set_default_lb_dest(ptr=2)",
        "k8s_dp_control.write_dest_ip_table{meta.mod_blob_ptr_dnat=1} → k8s_dp_control.update_dst_ip(new_ip=10.244.0.6, new_port=8080)",
        "k8s_dp_control.write_dest_ip_table{meta.mod_blob_ptr_dnat=2} → k8s_dp_control.update_dst_ip(new_ip=10.244.0.7, new_port=8080)",
        "k8s_dp_control.set_meta_tcp{hdr.ipv4.dst_addr=10.244.0.6, hdr.tcp.dst_port=8080} → k8s_dp_control.set_key_for_reverse_ct(ptr=1)",
        "k8s_dp_control.set_meta_tcp{hdr.ipv4.dst_addr=10.244.0.7, hdr.tcp.dst_port=8080} → k8s_dp_control.set_key_for_reverse_ct(ptr=1)",
        "k8s_dp_control.as_sl3_tcp group 1 [1 2]",
        "k8s_dp_control.tx_balance_tcp{hdr.ipv4.dst_addr=10.96.0.10, hdr.tcp.dst_port=80} → group 1",
        "k8s_dp_control.write_source_ip_table{meta.mod_blob_ptr_snat=1} → k8s_dp_control.update_src_ip(new_ip=10.96.0.10, new_port=80)",
    ];

    private static readonly K8sDpTables Tables = TableSamples.Tables;

    [Fact]
    public void Build_EmptyState_HoldsOnlyTheGatewayArpEntry()
    {
        var desired = DesiredEntities.Build(Tables, ManagerState.Empty);

        Assert.Equal(1, desired.Count);
        Assert.Equal([GatewayArp], TableSamples.Described(desired));
    }

    [Fact]
    public void Build_OnePod_AddsItsArpAndRouteEntries()
    {
        var desired = DesiredEntities.Build(Tables, Given(Pod("10.244.0.6", 2)));

        Assert.Equal(
            [
                "k8s_dp_control.arpt_to_port_table{hdr.arp.tpa=10.244.0.6} → k8s_dp_control.set_dest_vport(p=2)",
                GatewayArp,
                "k8s_dp_control.ipv4_to_port_table{hdr.ipv4.dst_addr=10.244.0.6} → k8s_dp_control.set_dest_mac_vport(p=2, new_dmac=02:00:00:00:00:02)",
            ],
            TableSamples.Described(desired));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(40)]
    public void Build_ServiceWithBackends_AddsThreeEntriesPlusThreePerBackend(int backends)
    {
        var state = Given(Service(Web, [.. Enumerable.Range(1, backends).Select(i => $"10.244.1.{i}:8080")]));

        var desired = DesiredEntities.Build(Tables, state);

        Assert.Equal(1 + 3 + (3 * backends), desired.Count);
        Assert.Equal(backends, desired.CountOf(EntityKind.ActionProfileMember, Tables.Index.ActionProfile("as_sl3_tcp").Id));
        Assert.Equal(1, desired.CountOf(EntityKind.ActionProfileGroup, Tables.Index.ActionProfile("as_sl3_tcp").Id));
    }

    [Fact]
    public void Build_Service_HoldsItsEntriesByName()
    {
        var desired = DesiredEntities.Build(Tables, Given(Service(Web, "10.244.0.6:8080", "10.244.0.7:8080")));

        Assert.Equal(WebEntities.Append(GatewayArp).Order(StringComparer.Ordinal), TableSamples.Described(desired));
    }

    [Fact]
    public void Build_HostWhoseNodeIpIsItsOwnIp_HoldsOnePairOfEntries()
    {
        var desired = DesiredEntities.Build(Tables, Given(Host(ip: "192.168.1.10", nodeIp: "192.168.1.10")));

        Assert.Equal(3, desired.Count);
    }

    [Fact]
    public void Apply_NewService_InsertsItsEntries()
    {
        var before = Given(Pod("10.244.0.6", 2));
        var desired = DesiredEntities.Build(Tables, before);

        var changes = desired.Apply(before, before.Apply(Service(Web, "10.244.0.6:8080", "10.244.0.7:8080")));

        Tables.AssertChanges(WebEntities.Select(e => "Insert " + e), changes);
        Assert.Equal(3 + 9, desired.Count);
    }

    [Fact]
    public void Apply_ServiceRemoved_DeletesItsEntries()
    {
        var before = Given(Pod("10.244.0.6", 2), Service(Web, "10.244.0.6:8080", "10.244.0.7:8080"));
        var desired = DesiredEntities.Build(Tables, before);

        var changes = desired.Apply(before, before.Apply(new DeleteService(Web)));

        Tables.AssertChanges(WebEntities.Select(e => "Delete " + e), changes);
        Assert.Equal(3, desired.Count);
    }

    [Fact]
    public void Apply_BackendReplaced_SwapsItsEntriesAndModifiesTheGroup()
    {
        var before = Given(Service(Web, "10.244.0.6:8080", "10.244.0.7:8080"));
        var desired = DesiredEntities.Build(Tables, before);

        var changes = desired.Apply(before, before.Apply(Service(Web, "10.244.0.6:8080", "10.244.0.8:8080")));

        Tables.AssertChanges(
            [
                "Insert k8s_dp_control.as_sl3_tcp member 3 → k8s_dp_control.set_default_lb_dest(ptr=3)",
                "Insert k8s_dp_control.write_dest_ip_table{meta.mod_blob_ptr_dnat=3} → k8s_dp_control.update_dst_ip(new_ip=10.244.0.8, new_port=8080)",
                "Insert k8s_dp_control.set_meta_tcp{hdr.ipv4.dst_addr=10.244.0.8, hdr.tcp.dst_port=8080} → k8s_dp_control.set_key_for_reverse_ct(ptr=1)",
                "Modify k8s_dp_control.as_sl3_tcp group 1 [1 3]",
                "Delete k8s_dp_control.as_sl3_tcp member 2 → k8s_dp_control.set_default_lb_dest(ptr=2)",
                "Delete k8s_dp_control.write_dest_ip_table{meta.mod_blob_ptr_dnat=2} → k8s_dp_control.update_dst_ip(new_ip=10.244.0.7, new_port=8080)",
                "Delete k8s_dp_control.set_meta_tcp{hdr.ipv4.dst_addr=10.244.0.7, hdr.tcp.dst_port=8080} → k8s_dp_control.set_key_for_reverse_ct(ptr=1)",
            ],
            changes);
        var group = Assert.Single(changes, c => c.Key.Kind == EntityKind.ActionProfileGroup);
        Assert.Equal("k8s_dp_control.as_sl3_tcp group 1 [1 2]", Tables.Describe(Assert.IsType<Entity>(group.Before)));
    }

    [Fact]
    public void Apply_NothingChanged_ReturnsNoChanges()
    {
        var state = Given(Pod("10.244.0.6", 2), Host(), Service(Web, "10.244.0.6:8080"));
        var desired = DesiredEntities.Build(Tables, state);

        Assert.Empty(desired.Apply(state, state));
        Assert.Empty(desired.Apply(state, state.Apply(Service(Web, "10.244.0.6:8080"), Pod("10.244.0.6", 2), Host())));
    }

    [Fact]
    public void Apply_PodDeleted_DeletesItsTwoEntries()
    {
        var before = Given(Pod("10.244.0.6", 2), Pod("10.244.0.7", 3));
        var desired = DesiredEntities.Build(Tables, before);

        var changes = desired.Apply(before, before.Apply(new DeletePod(Ip("10.244.0.6"))));

        Tables.AssertChanges(
            [
                "Delete k8s_dp_control.arpt_to_port_table{hdr.arp.tpa=10.244.0.6} → k8s_dp_control.set_dest_vport(p=2)",
                "Delete k8s_dp_control.ipv4_to_port_table{hdr.ipv4.dst_addr=10.244.0.6} → k8s_dp_control.set_dest_mac_vport(p=2, new_dmac=02:00:00:00:00:02)",
            ],
            changes);
    }

    [Fact]
    public void Apply_HostMacChanged_ModifiesTheRoutesAndLeavesTheArpEntries()
    {
        var before = Given(Host(ip: "200.1.1.2", nodeIp: "192.168.1.10", mac: "00:09:00:08:b5:01"));
        var desired = DesiredEntities.Build(Tables, before);

        var changes = desired.Apply(before, before.Apply(Host(ip: "200.1.1.2", nodeIp: "192.168.1.10", mac: "00:09:00:08:b5:02")));

        Tables.AssertChanges(
            [
                "Modify k8s_dp_control.ipv4_to_port_table{hdr.ipv4.dst_addr=200.1.1.2} → k8s_dp_control.set_dest_mac_vport(p=1, new_dmac=00:09:00:08:b5:02)",
                "Modify k8s_dp_control.ipv4_to_port_table{hdr.ipv4.dst_addr=192.168.1.10} → k8s_dp_control.set_dest_mac_vport(p=1, new_dmac=00:09:00:08:b5:02)",
            ],
            changes);
    }

    [Fact]
    public void Apply_HostIpChanged_ReplacesItsEntries()
    {
        var before = Given(Host(ip: "200.1.1.2", nodeIp: "192.168.1.10"));
        var desired = DesiredEntities.Build(Tables, before);

        var changes = desired.Apply(before, before.Apply(Host(ip: "200.1.1.3", nodeIp: "192.168.1.10")));

        Tables.AssertChanges(
            [
                "Delete k8s_dp_control.arpt_to_port_table{hdr.arp.tpa=200.1.1.2} → k8s_dp_control.set_dest_vport(p=1)",
                "Delete k8s_dp_control.ipv4_to_port_table{hdr.ipv4.dst_addr=200.1.1.2} → k8s_dp_control.set_dest_mac_vport(p=1, new_dmac=00:09:00:08:b5:01)",
                "Insert k8s_dp_control.arpt_to_port_table{hdr.arp.tpa=200.1.1.3} → k8s_dp_control.set_dest_vport(p=1)",
                "Insert k8s_dp_control.ipv4_to_port_table{hdr.ipv4.dst_addr=200.1.1.3} → k8s_dp_control.set_dest_mac_vport(p=1, new_dmac=00:09:00:08:b5:01)",
            ],
            changes);
    }

    [Fact]
    public void Build_TwoServicesShareABackend_OneReverseKeyOwnedByTheLowerGroup()
    {
        var state = Given(Service(Web, "10.244.0.6:8080"), Service(Auth, "10.244.0.6:8080"));

        var desired = DesiredEntities.Build(Tables, state);

        Assert.Equal(1 + 6 + 5, desired.Count);
        Assert.Equal(
            ["k8s_dp_control.set_meta_tcp{hdr.ipv4.dst_addr=10.244.0.6, hdr.tcp.dst_port=8080} → k8s_dp_control.set_key_for_reverse_ct(ptr=1)"],
            TableSamples.Described(desired).Where(e => e.StartsWith("k8s_dp_control.set_meta_tcp", StringComparison.Ordinal)));
    }

    [Fact]
    public void Apply_SecondServiceSharesABackend_LeavesTheReverseKeyWithTheFirst()
    {
        var before = Given(Service(Web, "10.244.0.6:8080"));
        var desired = DesiredEntities.Build(Tables, before);

        var changes = desired.Apply(before, before.Apply(Service(Auth, "10.244.0.6:8080")));

        Assert.DoesNotContain(changes, c => Tables.NameOf(c.Key) == "k8s_dp_control.set_meta_tcp");
        Assert.Equal(5, changes.Count);
    }

    [Fact]
    public void Apply_OwnerOfASharedBackendDeleted_ModifiesTheReverseKeyToTheOtherGroup()
    {
        var before = Given(Service(Web, "10.244.0.6:8080"), Service(Auth, "10.244.0.6:8080"));
        var desired = DesiredEntities.Build(Tables, before);

        var changes = desired.Apply(before, before.Apply(new DeleteService(Web)));

        Tables.AssertChanges(
            [
                "Delete k8s_dp_control.as_sl3_tcp member 1 → k8s_dp_control.set_default_lb_dest(ptr=1)",
                "Delete k8s_dp_control.write_dest_ip_table{meta.mod_blob_ptr_dnat=1} → k8s_dp_control.update_dst_ip(new_ip=10.244.0.6, new_port=8080)",
                "Delete k8s_dp_control.as_sl3_tcp group 1 [1]",
                "Delete k8s_dp_control.tx_balance_tcp{hdr.ipv4.dst_addr=10.96.0.10, hdr.tcp.dst_port=80} → group 1",
                "Delete k8s_dp_control.write_source_ip_table{meta.mod_blob_ptr_snat=1} → k8s_dp_control.update_src_ip(new_ip=10.96.0.10, new_port=80)",
                "Modify k8s_dp_control.set_meta_tcp{hdr.ipv4.dst_addr=10.244.0.6, hdr.tcp.dst_port=8080} → k8s_dp_control.set_key_for_reverse_ct(ptr=2)",
            ],
            changes);
    }

    [Fact]
    public void Apply_OwnerDropsASharedBackend_ModifiesTheReverseKeyToTheOtherGroup()
    {
        var before = Given(Service(Web, "10.244.0.6:8080", "10.244.0.7:8080"), Service(Auth, "10.244.0.6:8080"));
        var desired = DesiredEntities.Build(Tables, before);

        var changes = desired.Apply(before, before.Apply(Service(Web, "10.244.0.7:8080")));

        var reverse = Assert.Single(changes, c => Tables.NameOf(c.Key) == "k8s_dp_control.set_meta_tcp");
        Assert.Equal(
            "Modify k8s_dp_control.set_meta_tcp{hdr.ipv4.dst_addr=10.244.0.6, hdr.tcp.dst_port=8080} → k8s_dp_control.set_key_for_reverse_ct(ptr=2)",
            TableSamples.Line(Tables, reverse));
    }

    [Fact]
    public void Apply_OtherSharerDeleted_LeavesTheReverseKey()
    {
        var before = Given(Service(Web, "10.244.0.6:8080"), Service(Auth, "10.244.0.6:8080"));
        var desired = DesiredEntities.Build(Tables, before);

        var changes = desired.Apply(before, before.Apply(new DeleteService(Auth)));

        Assert.DoesNotContain(changes, c => Tables.NameOf(c.Key) == "k8s_dp_control.set_meta_tcp");
        Assert.All(changes, c => Assert.Equal(Update.Types.Type.Delete, c.Type));
    }

    [Fact]
    public void Apply_LastSharerDeleted_DeletesTheReverseKey()
    {
        var before = Given(Service(Web, "10.244.0.6:8080"), Service(Auth, "10.244.0.6:8080"));
        var desired = DesiredEntities.Build(Tables, before);
        var middle = before.Apply(new DeleteService(Web));
        desired.Apply(before, middle);

        var changes = desired.Apply(middle, middle.Apply(new DeleteService(Auth)));

        Assert.Contains(
            "Delete k8s_dp_control.set_meta_tcp{hdr.ipv4.dst_addr=10.244.0.6, hdr.tcp.dst_port=8080} → k8s_dp_control.set_key_for_reverse_ct(ptr=2)",
            Tables.Lines(changes));
        Assert.Equal([GatewayArp], TableSamples.Described(desired));
    }

    [Fact]
    public void Build_SameBackendForTcpAndUdp_OneReverseKeyPerProtocol()
    {
        var desired = DesiredEntities.Build(Tables, Given(Service(Web, "10.244.0.6:53"), Service(Dns, "10.244.0.6:53")));

        Assert.Equal(
            [
                "k8s_dp_control.set_meta_tcp{hdr.ipv4.dst_addr=10.244.0.6, hdr.tcp.dst_port=53} → k8s_dp_control.set_key_for_reverse_ct(ptr=1)",
                "k8s_dp_control.set_meta_udp{hdr.ipv4.dst_addr=10.244.0.6, hdr.udp.dst_port=53} → k8s_dp_control.set_key_for_reverse_ct(ptr=2)",
            ],
            TableSamples.Described(desired).Where(e => e.StartsWith("k8s_dp_control.set_meta", StringComparison.Ordinal)));
    }

    [Fact]
    public void Apply_BackendSwapInAFullSelector_ThrowsSinceTheNewMemberGoesInBeforeTheOldLeaves()
    {
        var tables = TableSamples.Sized("k8s_dp_control.as_sl3_tcp", 4);
        var desired = DesiredEntities.Build(tables, ManagerState.Empty);
        var four = Given(Service(Web, "10.244.0.1:80", "10.244.0.2:80", "10.244.0.3:80", "10.244.0.4:80"));
        desired.Apply(ManagerState.Empty, four);

        var error = Assert.Throws<CapacityException>(() => desired.Apply(four, four.Apply(Service(Web, "10.244.0.1:80", "10.244.0.2:80", "10.244.0.3:80", "10.244.0.5:80"))));

        Assert.Equal("action selector k8s_dp_control.as_sl3_tcp is full: it holds 4 members (P4Info size)", error.Message);
    }

    [Fact]
    public void Apply_MoreBackendsThanTheSelectorHolds_ThrowsNamingTheSelector()
    {
        var tables = TableSamples.Sized("k8s_dp_control.as_sl3_tcp", 4);
        var desired = DesiredEntities.Build(tables, ManagerState.Empty);
        var four = Given(Service(Web, "10.244.0.1:80", "10.244.0.2:80", "10.244.0.3:80", "10.244.0.4:80"));
        desired.Apply(ManagerState.Empty, four);

        var error = Assert.Throws<CapacityException>(() => desired.Apply(four, four.Apply(Service(Auth, "10.244.0.5:80"))));

        Assert.Equal("action selector k8s_dp_control.as_sl3_tcp is full: it holds 4 members (P4Info size)", error.Message);
    }

    [Fact]
    public void Apply_SelectorFullOfOneProtocol_LeavesTheOtherProtocolsRoom()
    {
        var tables = TableSamples.Sized("k8s_dp_control.as_sl3_tcp", 1);
        var state = Given(Service(Web, "10.244.0.1:80"));
        var desired = DesiredEntities.Build(tables, state);

        var changes = desired.Apply(state, state.Apply(Service(Dns, "10.244.0.9:53", "10.244.0.10:53")));

        Assert.Equal(3 + 6, changes.Count);
    }

    [Fact]
    public void Apply_GroupLargerThanTheMaximumGroupSize_ThrowsNamingTheSelectorAndGroup()
    {
        var tables = TableSamples.Sized("k8s_dp_control.as_sl3_tcp", 100, maxGroupSize: 3);
        var three = Given(Service(Web, "10.244.0.1:80", "10.244.0.2:80", "10.244.0.3:80"));
        var desired = DesiredEntities.Build(tables, three);

        var error = Assert.Throws<CapacityException>(() => desired.Apply(three, three.Apply(Service(Web, "10.244.0.1:80", "10.244.0.2:80", "10.244.0.3:80", "10.244.0.4:80"))));

        Assert.Equal("action selector k8s_dp_control.as_sl3_tcp: group 1 would have 4 members, more than its maximum group size 3", error.Message);
    }

    [Fact]
    public void Apply_MoreRoutesThanTheTableHolds_ThrowsNamingTheTable()
    {
        var tables = TableSamples.Sized("k8s_dp_control.ipv4_to_port_table", 2);
        var two = Given(Pod("10.244.0.6", 2), Pod("10.244.0.7", 3));
        var desired = DesiredEntities.Build(tables, two);

        var error = Assert.Throws<CapacityException>(() => desired.Apply(two, two.Apply(Pod("10.244.0.8", 4))));

        Assert.Equal("table k8s_dp_control.ipv4_to_port_table is full: it holds 2 entries (P4Info size)", error.Message);
    }

    [Fact]
    public void Build_StateLargerThanATable_Throws()
    {
        // The gateway's ARP entry takes one of the three.
        var tables = TableSamples.Sized("k8s_dp_control.arpt_to_port_table", 3);

        var error = Assert.Throws<CapacityException>(() => DesiredEntities.Build(tables, Given(Pod("10.244.0.6", 2), Pod("10.244.0.7", 3), Pod("10.244.0.8", 4))));

        Assert.Equal("table k8s_dp_control.arpt_to_port_table is full: it holds 3 entries (P4Info size)", error.Message);
    }

    [Fact]
    public void Compare_TargetHoldsTheDesiredEntities_ReportsNothing()
    {
        var desired = DesiredEntities.Build(Tables, Everything());
        var comparison = desired.Compare();

        foreach (var entity in TableSamples.Entities(desired))
        {
            comparison.Observe(EntityKey.Of(entity), entity);
        }

        Assert.Empty(comparison.Finish());
        Assert.Equal(desired.Count, comparison.Present);
    }

    [Fact]
    public void Compare_TargetSpellsTheEntitiesItsOwnWay_ReportsNothing()
    {
        var desired = DesiredEntities.Build(Tables, Everything());
        var comparison = desired.Compare();

        foreach (var entity in TableSamples.Entities(desired).Select(AsATargetMayReadIt))
        {
            comparison.Observe(EntityKey.Of(entity), entity);
        }

        Assert.Empty(comparison.Finish());
    }

    [Fact]
    public void Compare_EntityMissingOnTheTarget_ReportsAnInsert()
    {
        var desired = DesiredEntities.Build(Tables, Everything());
        var missing = Tables.Ipv4Route(Ip("10.244.0.6"), 2, new MacAddress(0x02_00_00_00_00_02));
        var comparison = desired.Compare();

        foreach (var entity in TableSamples.Entities(desired).Where(e => !e.Equals(missing)))
        {
            comparison.Observe(EntityKey.Of(entity), entity);
        }

        var change = Assert.Single(comparison.Finish());
        Assert.Equal(Update.Types.Type.Insert, change.Type);
        Assert.Equal(missing, change.After);
    }

    [Fact]
    public void Compare_StaleEntityOnTheTarget_ReportsADelete()
    {
        var desired = DesiredEntities.Build(Tables, Everything());
        var stale = Tables.Ipv4Route(Ip("10.244.0.99"), 9, new MacAddress(0x02_00_00_00_00_99));
        var staleMember = Tables.Member(ServiceProtocol.Tcp, 77);
        var comparison = desired.Compare();

        foreach (var entity in TableSamples.Entities(desired).Append(stale).Append(staleMember))
        {
            comparison.Observe(EntityKey.Of(entity), entity);
        }

        Tables.AssertChanges(
            [
                "Delete k8s_dp_control.ipv4_to_port_table{hdr.ipv4.dst_addr=10.244.0.99} → k8s_dp_control.set_dest_mac_vport(p=9, new_dmac=02:00:00:00:00:99)",
                "Delete k8s_dp_control.as_sl3_tcp member 77 → k8s_dp_control.set_default_lb_dest(ptr=77)",
            ],
            comparison.Finish());
    }

    [Fact]
    public void Compare_WrongEntitiesOnTheTarget_ReportsModifiesToTheDesiredOnes()
    {
        var desired = DesiredEntities.Build(Tables, Everything());
        var wrongRoute = Tables.Ipv4Route(Ip("10.244.0.6"), 2, new MacAddress(0x02_00_00_00_00_66));
        var wrongGroup = Tables.Group(ServiceProtocol.Tcp, 1, [1]);
        var comparison = desired.Compare();

        foreach (var entity in TableSamples.Entities(desired))
        {
            var present = EntityKey.Of(entity) == EntityKey.Of(wrongRoute) ? wrongRoute
                : EntityKey.Of(entity) == EntityKey.Of(wrongGroup) ? wrongGroup
                : entity;
            comparison.Observe(EntityKey.Of(present), present);
        }

        var changes = comparison.Finish();
        Tables.AssertChanges(
            [
                "Modify k8s_dp_control.ipv4_to_port_table{hdr.ipv4.dst_addr=10.244.0.6} → k8s_dp_control.set_dest_mac_vport(p=2, new_dmac=02:00:00:00:00:02)",
                "Modify k8s_dp_control.as_sl3_tcp group 1 [1 2]",
            ],
            changes);
        Assert.Contains(changes, c => wrongRoute.Equals(c.Before));
    }

    [Fact]
    public void Compare_EntityReportedTwice_CountsItOnce()
    {
        var desired = DesiredEntities.Build(Tables, ManagerState.Empty);
        var gateway = Assert.Single(TableSamples.Entities(desired));
        var comparison = desired.Compare();

        comparison.Observe(EntityKey.Of(gateway), gateway);
        comparison.Observe(EntityKey.Of(gateway), gateway);

        Assert.Equal(1, comparison.Present);
        Assert.Empty(comparison.Finish());
    }

    private static ManagerState Everything() => Given(
        Pod("10.244.0.6", 2),
        Pod("10.244.0.7", 3),
        Host(),
        Service(Web, "10.244.0.6:8080", "10.244.0.7:8080"),
        Service(Dns, "10.244.0.6:53"));

    /// <summary>
    /// The entity as a target may return it: values padded to more bytes, match fields and group
    /// members in another order, weights left at 0.
    /// </summary>
    private static Entity AsATargetMayReadIt(Entity entity)
    {
        var read = entity.Clone();
        switch (read.EntityCase)
        {
            case Entity.EntityOneofCase.TableEntry:
                var matches = read.TableEntry.Match.Reverse().ToList();
                read.TableEntry.Match.Clear();
                foreach (var match in matches)
                {
                    match.Exact.Value = Padded(match.Exact.Value);
                    read.TableEntry.Match.Add(match);
                }

                if (read.TableEntry.Action.Action is { } action)
                {
                    PadParams(action);
                }

                break;
            case Entity.EntityOneofCase.ActionProfileMember:
                PadParams(read.ActionProfileMember.Action);
                break;
            case Entity.EntityOneofCase.ActionProfileGroup:
                var members = read.ActionProfileGroup.Members.Reverse().Select(m => new ActionProfileGroup.Types.Member { MemberId = m.MemberId }).ToList();
                read.ActionProfileGroup.Members.Clear();
                read.ActionProfileGroup.Members.Add(members);
                break;
        }

        return read;
    }

    private static void PadParams(Proto.P4.V1.Action action)
    {
        foreach (var param in action.Params)
        {
            param.Value = Padded(param.Value);
        }
    }

    private static ByteString Padded(ByteString value) =>
        ByteString.CopyFrom([0, 0, .. value.Span]);
}
