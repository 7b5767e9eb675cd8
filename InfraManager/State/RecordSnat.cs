namespace InfraManager.State;

/// <summary>SetSnatAddress (Ipv4/Ipv6 set) or AddDelSnatPrefix (Prefix with IsAdd), recorded.</summary>
internal sealed record RecordSnat(string? Ipv4, string? Ipv6, string? Prefix, bool IsAdd) : StateCommand
{
    public override ManagerState Apply(ManagerState state, IdAllocator ids)
    {
        ArgumentNullException.ThrowIfNull(state);
        var snat = state.Snat;
        if (Prefix is not null)
        {
            snat = snat with { Prefixes = IsAdd ? snat.Prefixes.Add(Prefix) : snat.Prefixes.Remove(Prefix) };
        }
        else
        {
            snat = snat with { Ipv4 = Ipv4 ?? string.Empty, Ipv6 = Ipv6 ?? string.Empty };
        }

        return snat.Equals(state.Snat) ? state : state with { Snat = snat };
    }

    public override string ToString() => Prefix is null ? $"snat address {Ipv4} {Ipv6}" : $"{(IsAdd ? "add" : "delete")} snat prefix {Prefix}";
}
