namespace InfraAgent.Services;

/// <summary>The protocols the manager balances; Kubernetes spells them "TCP" and "UDP" (SCTP is not offloaded).</summary>
internal enum ServiceProtocol
{
    Tcp,
    Udp,
}
