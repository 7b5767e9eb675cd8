using P4Pipeline;

namespace SoftTarget.DataPlane;

/// <summary>The k8s_dp control flow that SoftTarget executes; a pipeline without its tables and actions cannot run here.</summary>
internal static class K8sDpProgram
{
    private static readonly string[] Tables =
    [
        "ipv4_to_port_table", "arpt_to_port_table", "write_source_ip_table", "write_dest_ip_table",
        "pinned_flows", "pinned_flows_reverse", "tx_balance_tcp", "tx_balance_udp", "set_meta_tcp", "set_meta_udp",
    ];

    private static readonly string[] Actions =
    [
        "set_dest_mac_vport", "set_dest_vport", "update_src_ip", "update_dst_ip", "pinned_flows_hit",
        "pinned_flows_reverse_hit", "set_default_lb_dest", "set_key_for_reverse_ct",
    ];

    private static readonly string[] Profiles = ["as_sl3_tcp", "as_sl3_udp"];

    /// <summary>Throws <see cref="P4InfoException"/> naming the first table, action or profile of k8s_dp that is missing.</summary>
    public static void Verify(P4InfoIndex index)
    {
        ArgumentNullException.ThrowIfNull(index);
        try
        {
            foreach (var table in Tables)
            {
                index.Table(table);
            }

            foreach (var action in Actions)
            {
                index.Action(action);
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
}
