namespace Packets;

/// <summary>The EtherType values the k8s_dp pipeline parses (reference-behaviour.md 2.1).</summary>
public static class EtherTypes
{
    public const ushort IPv4 = 0x0800;
    public const ushort Arp = 0x0806;
    public const ushort Vlan = 0x8100;
}
