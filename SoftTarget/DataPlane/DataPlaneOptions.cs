namespace SoftTarget.DataPlane;

internal sealed class DataPlaneOptions
{
    /// <summary>Idle time after which a learned connection (pinned_flows*, acl_conntrack; expire profile 2) is removed.</summary>
    public int FlowIdleSeconds { get; set; } = 300;

    /// <summary>Let the kernel hand over TSO/GSO super-frames with partial checksums (virtio header).</summary>
    public bool Offloads { get; set; } = true;
}
