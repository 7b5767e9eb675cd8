using P4Pipeline;
using SoftTarget.Runtime;

namespace SoftTarget.DataPlane;

/// <summary>
/// The tables, actions and key layouts of one committed k8s_dp pipeline, resolved by name once so the
/// per-packet path only does dictionary lookups on packed keys.
/// </summary>
internal sealed class K8sDpTables
{
    public K8sDpTables(ForwardingPipeline pipeline)
    {
        Pipeline = pipeline;
        var index = pipeline.Index;
        Ipv4ToPort = pipeline.Table("ipv4_to_port_table");
        ArpToPort = pipeline.Table("arpt_to_port_table");
        WriteSource = pipeline.Table("write_source_ip_table");
        WriteDestination = pipeline.Table("write_dest_ip_table");
        PinnedFlows = pipeline.Table("pinned_flows");
        PinnedFlowsReverse = pipeline.Table("pinned_flows_reverse");
        BalanceTcp = pipeline.Table("tx_balance_tcp");
        BalanceUdp = pipeline.Table("tx_balance_udp");
        MetaTcp = pipeline.Table("set_meta_tcp");
        MetaUdp = pipeline.Table("set_meta_udp");
        ProfileTcp = pipeline.Profiles[BalanceTcp.Info.ImplementationId];
        ProfileUdp = pipeline.Profiles[BalanceUdp.Info.ImplementationId];

        SetDestMacVport = index.Action("set_dest_mac_vport").Id;
        SetDestVport = index.Action("set_dest_vport").Id;
        UpdateSourceIp = index.Action("update_src_ip").Id;
        UpdateDestinationIp = index.Action("update_dst_ip").Id;
        PinnedFlowsHit = index.Action("pinned_flows_hit");
        PinnedFlowsReverseHit = index.Action("pinned_flows_reverse_hit");
        SetDefaultLbDest = index.Action("set_default_lb_dest").Id;
        SetKeyForReverseCt = index.Action("set_key_for_reverse_ct").Id;

        var balance = new KeyLayout(BalanceTcp.Info);
        BalanceTcpIpShift = balance.Shift("hdr.ipv4.dst_addr");
        BalanceTcpPortShift = balance.Shift("hdr.tcp.dst_port");
        var balanceUdp = new KeyLayout(BalanceUdp.Info);
        BalanceUdpIpShift = balanceUdp.Shift("hdr.ipv4.dst_addr");
        BalanceUdpPortShift = balanceUdp.Shift("hdr.udp.dst_port");
        var meta = new KeyLayout(MetaTcp.Info);
        MetaTcpIpShift = meta.Shift("hdr.ipv4.dst_addr");
        MetaTcpPortShift = meta.Shift("hdr.tcp.dst_port");
        var metaUdp = new KeyLayout(MetaUdp.Info);
        MetaUdpIpShift = metaUdp.Shift("hdr.ipv4.dst_addr");
        MetaUdpPortShift = metaUdp.Shift("hdr.udp.dst_port");
        var flows = new KeyLayout(PinnedFlows.Info);
        FlowShifts = [flows.Shift("meta.src_ip"), flows.Shift("meta.dst_ip"), flows.Shift("hdr.ipv4.protocol"), flows.Shift("meta.src_port"), flows.Shift("meta.dst_port")];
        var reverse = new KeyLayout(PinnedFlowsReverse.Info);
        ReverseFlowShifts = [reverse.Shift("meta.src_ip"), reverse.Shift("meta.dst_ip"), reverse.Shift("hdr.ipv4.protocol"), reverse.Shift("meta.src_port"), reverse.Shift("meta.dst_port")];
    }

    public ForwardingPipeline Pipeline { get; }

    public TableState Ipv4ToPort { get; }

    public TableState ArpToPort { get; }

    public TableState WriteSource { get; }

    public TableState WriteDestination { get; }

    public TableState PinnedFlows { get; }

    public TableState PinnedFlowsReverse { get; }

    public TableState BalanceTcp { get; }

    public TableState BalanceUdp { get; }

    public TableState MetaTcp { get; }

    public TableState MetaUdp { get; }

    public ActionProfileState ProfileTcp { get; }

    public ActionProfileState ProfileUdp { get; }

    public uint SetDestMacVport { get; }

    public uint SetDestVport { get; }

    public uint UpdateSourceIp { get; }

    public uint UpdateDestinationIp { get; }

    public ActionInfo PinnedFlowsHit { get; }

    public ActionInfo PinnedFlowsReverseHit { get; }

    public uint SetDefaultLbDest { get; }

    public uint SetKeyForReverseCt { get; }

    public int BalanceTcpIpShift { get; }

    public int BalanceTcpPortShift { get; }

    public int BalanceUdpIpShift { get; }

    public int BalanceUdpPortShift { get; }

    public int MetaTcpIpShift { get; }

    public int MetaTcpPortShift { get; }

    public int MetaUdpIpShift { get; }

    public int MetaUdpPortShift { get; }

    /// <summary>Shifts of src_ip, dst_ip, protocol, src_port, dst_port in pinned_flows' key.</summary>
    public int[] FlowShifts { get; }

    public int[] ReverseFlowShifts { get; }

    public static UInt128 FlowKey(int[] shifts, uint sourceIp, uint destinationIp, byte protocol, ushort sourcePort, ushort destinationPort) =>
        ((UInt128)sourceIp << shifts[0]) | ((UInt128)destinationIp << shifts[1]) | ((UInt128)protocol << shifts[2])
        | ((UInt128)sourcePort << shifts[3]) | ((UInt128)destinationPort << shifts[4]);
}
