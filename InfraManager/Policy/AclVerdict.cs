namespace InfraManager.Policy;

/// <summary>What a pod's entry for one direction and protocol does.</summary>
internal enum AclVerdict
{
    /// <summary>Everything passes (NoAction): written only when another protocol of the pod is restricted.</summary>
    AllowAll,

    /// <summary>Nothing passes (set_status_deny_all).</summary>
    DenyAll,

    /// <summary>The rule group decides (set_status_match_ipset_only or set_range_check_ref).</summary>
    Group,
}
