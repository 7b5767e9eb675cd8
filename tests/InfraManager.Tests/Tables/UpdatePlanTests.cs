using InfraManager.State;
using InfraManager.Tables;
using Xunit;
using static InfraManager.Tests.State.Requests;

namespace InfraManager.Tests.Tables;

public sealed class UpdatePlanTests
{
    private static readonly K8sDpTables Tables = TableSamples.Tables;

    [Fact]
    public void Phases_BackendReplaced_NewEntriesThenGroupThenOldEntries()
    {
        var phases = Plan(Given(Service(Web, "10.244.0.6:8080", "10.244.0.7:8080")), Service(Web, "10.244.0.6:8080", "10.244.0.8:8080"));

        Assert.Equal(
            [
                [
                    "Insert k8s_dp_control.as_sl3_tcp member 3 → k8s_dp_control.set_default_lb_dest(ptr=3)",
                    "Insert k8s_dp_control.set_meta_tcp{hdr.ipv4.dst_addr=10.244.0.8, hdr.tcp.dst_port=8080} → k8s_dp_control.set_key_for_reverse_ct(ptr=1)",
                    "Insert k8s_dp_control.write_dest_ip_table{meta.mod_blob_ptr_dnat=3} → k8s_dp_control.update_dst_ip(new_ip=10.244.0.8, new_port=8080)",
                ],
                ["Modify k8s_dp_control.as_sl3_tcp group 1 [1 3]"],
                [
                    "Delete k8s_dp_control.as_sl3_tcp member 2 → k8s_dp_control.set_default_lb_dest(ptr=2)",
                    "Delete k8s_dp_control.set_meta_tcp{hdr.ipv4.dst_addr=10.244.0.7, hdr.tcp.dst_port=8080} → k8s_dp_control.set_key_for_reverse_ct(ptr=1)",
                    "Delete k8s_dp_control.write_dest_ip_table{meta.mod_blob_ptr_dnat=2} → k8s_dp_control.update_dst_ip(new_ip=10.244.0.7, new_port=8080)",
                ],
            ],
            phases);
    }

    [Fact]
    public void Phases_NewService_EntriesThenGroupThenBalanceEntry()
    {
        var phases = Plan(ManagerState.Empty, Service(Web, "10.244.0.6:8080"));

        Assert.Equal(
            [
                [
                    "Insert k8s_dp_control.as_sl3_tcp member 1 → k8s_dp_control.set_default_lb_dest(ptr=1)",
                    "Insert k8s_dp_control.set_meta_tcp{hdr.ipv4.dst_addr=10.244.0.6, hdr.tcp.dst_port=8080} → k8s_dp_control.set_key_for_reverse_ct(ptr=1)",
                    "Insert k8s_dp_control.write_dest_ip_table{meta.mod_blob_ptr_dnat=1} → k8s_dp_control.update_dst_ip(new_ip=10.244.0.6, new_port=8080)",
                    "Insert k8s_dp_control.write_source_ip_table{meta.mod_blob_ptr_snat=1} → k8s_dp_control.update_src_ip(new_ip=10.96.0.10, new_port=80)",
                ],
                ["Insert k8s_dp_control.as_sl3_tcp group 1 [1]"],
                ["Insert k8s_dp_control.tx_balance_tcp{hdr.ipv4.dst_addr=10.96.0.10, hdr.tcp.dst_port=80} → group 1"],
            ],
            phases);
    }

    [Fact]
    public void Phases_ServiceDeleted_BalanceEntryThenGroupThenTheRest()
    {
        var phases = Plan(Given(Service(Web, "10.244.0.6:8080")), new DeleteService(Web));

        Assert.Equal(
            [
                ["Delete k8s_dp_control.tx_balance_tcp{hdr.ipv4.dst_addr=10.96.0.10, hdr.tcp.dst_port=80} → group 1"],
                ["Delete k8s_dp_control.as_sl3_tcp group 1 [1]"],
                [
                    "Delete k8s_dp_control.as_sl3_tcp member 1 → k8s_dp_control.set_default_lb_dest(ptr=1)",
                    "Delete k8s_dp_control.set_meta_tcp{hdr.ipv4.dst_addr=10.244.0.6, hdr.tcp.dst_port=8080} → k8s_dp_control.set_key_for_reverse_ct(ptr=1)",
                    "Delete k8s_dp_control.write_dest_ip_table{meta.mod_blob_ptr_dnat=1} → k8s_dp_control.update_dst_ip(new_ip=10.244.0.6, new_port=8080)",
                    "Delete k8s_dp_control.write_source_ip_table{meta.mod_blob_ptr_snat=1} → k8s_dp_control.update_src_ip(new_ip=10.96.0.10, new_port=80)",
                ],
            ],
            phases);
    }

    [Fact]
    public void Phases_ServiceAddedAndAnotherDeleted_AllFivePhasesInOrder()
    {
        var phases = Plan(Given(Service(Dns, "10.244.0.9:53")), new DeleteService(Dns), Service(Web, "10.244.0.6:8080"));

        Assert.Equal(5, phases.Count);
        Assert.All(phases[0], line => Assert.StartsWith("Insert ", line, StringComparison.Ordinal));
        Assert.Equal(["Insert k8s_dp_control.as_sl3_tcp group 2 [2]"], phases[1]);
        Assert.Equal(
            [
                "Delete k8s_dp_control.tx_balance_udp{hdr.ipv4.dst_addr=10.96.0.10, hdr.udp.dst_port=53} → group 1",
                "Insert k8s_dp_control.tx_balance_tcp{hdr.ipv4.dst_addr=10.96.0.10, hdr.tcp.dst_port=80} → group 2",
            ],
            phases[2]);
        Assert.Equal(["Delete k8s_dp_control.as_sl3_udp group 1 [1]"], phases[3]);
        Assert.All(phases[4], line => Assert.StartsWith("Delete ", line, StringComparison.Ordinal));
    }

    [Fact]
    public void Phases_SharedReverseKeyMoves_ModifiedBeforeItsOwnersEntriesGo()
    {
        var phases = Plan(Given(Service(Web, "10.244.0.6:8080"), Service(Auth, "10.244.0.6:8080")), new DeleteService(Web));

        Assert.Equal(
            ["Modify k8s_dp_control.set_meta_tcp{hdr.ipv4.dst_addr=10.244.0.6, hdr.tcp.dst_port=8080} → k8s_dp_control.set_key_for_reverse_ct(ptr=2)"],
            phases[0]);
        Assert.Contains("Delete k8s_dp_control.write_source_ip_table{meta.mod_blob_ptr_snat=1} → k8s_dp_control.update_src_ip(new_ip=10.96.0.10, new_port=80)", phases[^1]);
    }

    [Fact]
    public void Phases_PodOnly_OnePhase()
    {
        var phases = Plan(ManagerState.Empty, Pod("10.244.0.6", 2));

        Assert.Equal(2, Assert.Single(phases).Length);
    }

    [Fact]
    public void Phases_NoChanges_NoPhases()
    {
        Assert.Empty(UpdatePlan.Phases([], Tables));
    }

    /// <summary>The phases of the changes the commands make to <paramref name="before"/>, each rendered by name and sorted.</summary>
    private static List<string[]> Plan(ManagerState before, params StateCommand[] commands)
    {
        var desired = DesiredEntities.Build(Tables, before);
        var changes = desired.Apply(before, before.Apply(commands));
        return [.. UpdatePlan.Phases(changes, Tables).Select(phase => Tables.Lines(phase))];
    }
}
