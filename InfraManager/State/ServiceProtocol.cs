namespace InfraManager.State;

/// <summary>The L4 protocols k8s_dp balances (it has tx_balance_tcp and tx_balance_udp, nothing for SCTP).</summary>
internal enum ServiceProtocol
{
    Tcp,
    Udp,
}
