namespace SoftTarget.DataPlane;

/// <summary>
/// What one direction's ACL lookups left in k8s_dp's metadata for a packet (acl-spec.md steps 3 and 4):
/// acl_status, acl_pol_id, range_check_ref and the ipset table's mask. The default is ALLOW_ALL.
/// </summary>
internal readonly record struct AclDirection(byte Status, byte Policy, byte RangeCheck, byte Ipset);
