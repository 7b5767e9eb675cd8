namespace InfraManager.State;

internal static class ServiceProtocols
{
    /// <summary>"TCP" or "UDP" as Kubernetes spells them (and the Go store's key).</summary>
    public static string Name(this ServiceProtocol protocol) => protocol switch
    {
        ServiceProtocol.Tcp => "TCP",
        ServiceProtocol.Udp => "UDP",
        _ => throw new ArgumentOutOfRangeException(nameof(protocol), protocol, null),
    };

    /// <summary>Kubernetes' protocol names, any case; SCTP and anything else are not ours.</summary>
    public static bool TryParse(string? text, out ServiceProtocol protocol)
    {
        if (string.Equals(text, "TCP", StringComparison.OrdinalIgnoreCase))
        {
            protocol = ServiceProtocol.Tcp;
            return true;
        }

        if (string.Equals(text, "UDP", StringComparison.OrdinalIgnoreCase))
        {
            protocol = ServiceProtocol.Udp;
            return true;
        }

        protocol = default;
        return false;
    }
}
