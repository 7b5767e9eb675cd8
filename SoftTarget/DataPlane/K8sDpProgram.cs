using P4Pipeline;
using Proto.P4.Config.V1;

namespace SoftTarget.DataPlane;

/// <summary>
/// The k8s_dp control flow that SoftTarget executes; a pipeline without its tables, actions, the key
/// fields the engine builds keys from and the parameters it reads by position cannot run here.
/// </summary>
internal static class K8sDpProgram
{
    private const MatchField.Types.MatchType Exact = MatchField.Types.MatchType.Exact;
    private const MatchField.Types.MatchType Lpm = MatchField.Types.MatchType.Lpm;

    private static readonly (string Name, (string Field, int Width, MatchField.Types.MatchType Kind)[] Key)[] Tables =
    [
        ("ipv4_to_port_table", [("hdr.ipv4.dst_addr", 32, Exact)]),
        ("arpt_to_port_table", [("hdr.arp.tpa", 32, Exact)]),
        ("write_source_ip_table", [("meta.mod_blob_ptr_snat", 24, Exact)]),
        ("write_dest_ip_table", [("meta.mod_blob_ptr_dnat", 24, Exact)]),
        ("pinned_flows", FlowKey("meta.src_ip", "meta.dst_ip", "meta.src_port", "meta.dst_port")),
        ("pinned_flows_reverse", FlowKey("meta.src_ip", "meta.dst_ip", "meta.src_port", "meta.dst_port")),
        ("tx_balance_tcp", [("hdr.ipv4.dst_addr", 32, Exact), ("hdr.tcp.dst_port", 16, Exact)]),
        ("tx_balance_udp", [("hdr.ipv4.dst_addr", 32, Exact), ("hdr.udp.dst_port", 16, Exact)]),
        ("set_meta_tcp", [("hdr.ipv4.dst_addr", 32, Exact), ("hdr.tcp.dst_port", 16, Exact)]),
        ("set_meta_udp", [("hdr.ipv4.dst_addr", 32, Exact), ("hdr.udp.dst_port", 16, Exact)]),

        // The ACL stages (acl-spec.md).
        ("acl_pod_ip_proto_table_egress", [("hdr.ipv4.src_addr", 32, Exact), ("hdr.ipv4.protocol", 8, Lpm)]),
        ("acl_pod_ip_proto_table_ingress", [("hdr.ipv4.dst_addr", 32, Exact), ("hdr.ipv4.protocol", 8, Lpm)]),
        ("acl_ipset_match_table_egress", [("meta.acl_pol_id", 8, Exact), ("hdr.ipv4.dst_addr", 32, Lpm)]),
        ("acl_ipset_match_table_ingress", [("meta.acl_pol_id", 8, Exact), ("hdr.ipv4.src_addr", 32, Lpm)]),
        ("tcp_dport_rc_table", [("meta.acl_pol_id", 8, Exact)]),
        ("udp_dport_rc_table", [("meta.acl_pol_id", 8, Exact)]),
        ("sctp_dport_rc_table", [("meta.acl_pol_id", 8, Exact)]),
        ("udpl_dport_rc_table", [("meta.acl_pol_id", 8, Exact)]),
        ("icmp_type_code_check_table", [("meta.acl_pol_id", 8, Exact)]),
        ("acl_conntrack", FlowKey("meta.ct_ip_lo", "meta.ct_ip_hi", "meta.ct_port_lo", "meta.ct_port_hi")),
    ];

    private static readonly string[] RangeParams = ["min0", "max0", "min1", "max1", "min2", "max2", "min3", "max3", "min4", "max4", "min5", "max5", "min6", "max6", "min7", "max7"];

    private static readonly (string Name, string[] Params)[] Actions =
    [
        ("set_dest_mac_vport", ["p", "new_dmac"]),
        ("set_dest_vport", ["p"]),
        ("update_src_ip", ["new_ip", "new_port"]),
        ("update_dst_ip", ["new_ip", "new_port"]),
        ("pinned_flows_hit", ["ptr"]),
        ("pinned_flows_reverse_hit", ["ptr"]),
        ("set_default_lb_dest", ["ptr"]),
        ("set_key_for_reverse_ct", ["ptr"]),
        ("set_status_match_ipset_only", ["pol_id"]),
        ("set_range_check_ref", ["pol_id", "range_check_ref"]),
        ("set_status_deny_all", []),
        ("set_ipset_match_result", ["ipset_matched_mask"]),
        ("acl_deny", []),
        ("udp_acl_deny", []),
        ("do_range_check_tcp", RangeParams),
        ("do_range_check_udp", RangeParams),
        ("do_range_check_sctp", RangeParams),
        ("do_range_check_udplite", RangeParams),
        ("do_icmp_type_code_check", RangeParams),
        ("acl_conntrack_hit", []),
        ("acl_conntrack_miss", []),
    ];

    private static readonly string[] Profiles = ["as_sl3_tcp", "as_sl3_udp"];

    /// <summary>Throws <see cref="P4InfoException"/> naming the first table, key field, action, parameter or profile of k8s_dp that is missing or different.</summary>
    public static void Verify(P4InfoIndex index)
    {
        ArgumentNullException.ThrowIfNull(index);
        try
        {
            foreach (var (name, key) in Tables)
            {
                VerifyKey(index.Table(name), key);
            }

            foreach (var (name, parameters) in Actions)
            {
                VerifyParams(index.Action(name), parameters);
            }

            foreach (var profile in Profiles)
            {
                index.ActionProfile(profile);
            }
        }
        catch (P4InfoException e)
        {
            throw new P4InfoException($"SoftTarget executes k8s_dp: {e.Message}", e);
        }
    }

    private static (string, int, MatchField.Types.MatchType)[] FlowKey(string ipA, string ipB, string portA, string portB) =>
        [(ipA, 32, Exact), (ipB, 32, Exact), ("hdr.ipv4.protocol", 8, Exact), (portA, 16, Exact), (portB, 16, Exact)];

    /// <summary>The engine packs keys by field name, so the order may differ; the set of fields may not.</summary>
    private static void VerifyKey(TableInfo table, (string Field, int Width, MatchField.Types.MatchType Kind)[] key)
    {
        if (table.MatchFields.Count != key.Length)
        {
            throw new P4InfoException($"table {table.Name} has {table.MatchFields.Count} key fields, not {key.Length}");
        }

        foreach (var (name, width, kind) in key)
        {
            var field = table.Field(name);
            if (field.BitWidth != width || field.MatchType != kind)
            {
                throw new P4InfoException($"table {table.Name} key field {name} is {field.MatchType} bit<{field.BitWidth}>, not {kind} bit<{width}>");
            }
        }
    }

    /// <summary>The engine reads parameters by position: names and order must be k8s_dp's.</summary>
    private static void VerifyParams(ActionInfo action, string[] parameters)
    {
        if (!action.Params.Select(p => p.Name).SequenceEqual(parameters))
        {
            throw new P4InfoException($"action {action.Name} has parameters ({string.Join(", ", action.Params.Select(p => p.Name))}), not ({string.Join(", ", parameters)})");
        }
    }
}
