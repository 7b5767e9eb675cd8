namespace InfraManager.Policy;

/// <summary>An inclusive range of destination ports, or of ICMP type_code values (type &lt;&lt; 8 | code).</summary>
internal readonly record struct PortRange(ushort First, ushort Last)
{
    public static PortRange All { get; } = new(0, ushort.MaxValue);

    public bool IsAll => First == 0 && Last == ushort.MaxValue;

    public override string ToString() => First == Last ? $"{First}" : $"{First}-{Last}";
}
