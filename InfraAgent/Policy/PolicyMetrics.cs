using Prometheus;

namespace InfraAgent.Policy;

/// <summary>The Felix path's Prometheus metrics, in the agent's registry (served at /metrics beside the readiness check).</summary>
internal sealed class PolicyMetrics
{
    private readonly Counter _messages;
    private readonly Counter _retries;
    private readonly Counter _connections;

    public PolicyMetrics(CollectorRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var factory = Metrics.WithCustomRegistry(registry);
        _messages = factory.CreateCounter("infraagent_felix_messages_total", "Felix messages by payload type and result: relayed, refused (the manager's error or successful=false), logged (no manager RPC).", "type", "result");
        _retries = factory.CreateCounter("infraagent_felix_manager_retries_total", "Manager calls for Felix messages retried because the manager was unreachable, by payload type.", "type");
        _connections = factory.CreateCounter("infraagent_felix_connections_total", "Felix socket connections by how they ended: closed (by the peer), bad_frame, failed (I/O error), stopped.", "end");
    }

    public void Message(string type, string result) => _messages.WithLabels(type, result).Inc();

    public void Retry(string type) => _retries.WithLabels(type).Inc();

    public void ConnectionEnded(string end) => _connections.WithLabels(end).Inc();
}
