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
        AclPodEgress = pipeline.Table("acl_pod_ip_proto_table_egress");
        AclPodIngress = pipeline.Table("acl_pod_ip_proto_table_ingress");
        AclIpsetEgress = pipeline.Table("acl_ipset_match_table_egress");
        AclIpsetIngress = pipeline.Table("acl_ipset_match_table_ingress");
        RangeCheckTcp = pipeline.Table("tcp_dport_rc_table");
        RangeCheckUdp = pipeline.Table("udp_dport_rc_table");
        RangeCheckSctp = pipeline.Table("sctp_dport_rc_table");
        RangeCheckUdpLite = pipeline.Table("udpl_dport_rc_table");
        IcmpTypeCodeCheck = pipeline.Table("icmp_type_code_check_table");
        AclConntrack = pipeline.Table("acl_conntrack");
        AclPodEgressIndex = LpmOf(AclPodEgress);
        AclPodIngressIndex = LpmOf(AclPodIngress);
        AclIpsetEgressIndex = LpmOf(AclIpsetEgress);
        AclIpsetIngressIndex = LpmOf(AclIpsetIngress);
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
        SetStatusMatchIpsetOnly = index.Action("set_status_match_ipset_only").Id;
        SetRangeCheckRef = index.Action("set_range_check_ref").Id;
        SetStatusDenyAll = index.Action("set_status_deny_all").Id;
        SetIpsetMatchResult = index.Action("set_ipset_match_result").Id;
        RangeChecks =
        [
            index.Action("do_range_check_tcp").Id, index.Action("do_range_check_udp").Id, index.Action("do_range_check_sctp").Id,
            index.Action("do_range_check_udplite").Id, index.Action("do_icmp_type_code_check").Id,
        ];
        AclConntrackHit = index.Action("acl_conntrack_hit");

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
        var conntrack = new KeyLayout(AclConntrack.Info);
        ConntrackShifts = [conntrack.Shift("meta.ct_ip_lo"), conntrack.Shift("meta.ct_ip_hi"), conntrack.Shift("hdr.ipv4.protocol"), conntrack.Shift("meta.ct_port_lo"), conntrack.Shift("meta.ct_port_hi")];
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

    /// <summary>Keyed by (src_addr EXACT, protocol LPM); looked up through its <see cref="TableState.Lpm"/> index.</summary>
    public TableState AclPodEgress { get; }

    /// <summary>Keyed by (dst_addr EXACT, protocol LPM).</summary>
    public TableState AclPodIngress { get; }

    /// <summary>Keyed by (acl_pol_id EXACT, dst_addr LPM).</summary>
    public TableState AclIpsetEgress { get; }

    /// <summary>Keyed by (acl_pol_id EXACT, src_addr LPM).</summary>
    public TableState AclIpsetIngress { get; }

    public LpmIndex AclPodEgressIndex { get; }

    public LpmIndex AclPodIngressIndex { get; }

    public LpmIndex AclIpsetEgressIndex { get; }

    public LpmIndex AclIpsetIngressIndex { get; }

    public TableState RangeCheckTcp { get; }

    public TableState RangeCheckUdp { get; }

    public TableState RangeCheckSctp { get; }

    public TableState RangeCheckUdpLite { get; }

    public TableState IcmpTypeCodeCheck { get; }

    /// <summary>Learned (add-on-miss) like pinned_flows, and aged with them.</summary>
    public TableState AclConntrack { get; }

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

    public uint SetStatusMatchIpsetOnly { get; }

    public uint SetRangeCheckRef { get; }

    public uint SetStatusDenyAll { get; }

    public uint SetIpsetMatchResult { get; }

    /// <summary>do_range_check_tcp, _udp, _sctp, _udplite and do_icmp_type_code_check: the same 16 parameters, the same check.</summary>
    public uint[] RangeChecks { get; }

    public ActionInfo AclConntrackHit { get; }

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

    /// <summary>Shifts of ct_ip_lo, ct_ip_hi, protocol, ct_port_lo, ct_port_hi in acl_conntrack's key.</summary>
    public int[] ConntrackShifts { get; }

    private static LpmIndex LpmOf(TableState table) =>
        table.Lpm ?? throw new P4InfoException($"{table.Info.Name}: its key is not exact fields and one LPM field");

    public static UInt128 FlowKey(int[] shifts, uint sourceIp, uint destinationIp, byte protocol, ushort sourcePort, ushort destinationPort) =>
        ((UInt128)sourceIp << shifts[0]) | ((UInt128)destinationIp << shifts[1]) | ((UInt128)protocol << shifts[2])
        | ((UInt128)sourcePort << shifts[3]) | ((UInt128)destinationPort << shifts[4]);
}
