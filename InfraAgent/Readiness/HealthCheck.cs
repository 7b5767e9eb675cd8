using Grpc.Core;
using Grpc.Health.V1;
using InfraAgent.Cni;
using InfraAgent.Manager;

namespace InfraAgent.Readiness;

/// <summary>
/// What /check answers (reference-behaviour.md 6.10): the manager's grpc.health SERVING, and our CNI
/// backend set up and serving. The policy server is not checked, as in the Go agent.
/// </summary>
internal sealed class HealthCheck
{
    private static readonly TimeSpan ManagerTimeout = TimeSpan.FromSeconds(2);

    private readonly CniPodNetwork _network;
    private readonly Grpc.Health.V1.Health.HealthClient _manager;

    public HealthCheck(CniPodNetwork network, ManagerChannel manager)
    {
        ArgumentNullException.ThrowIfNull(manager);
        _network = network;
        _manager = new Grpc.Health.V1.Health.HealthClient(manager.Channel);
    }

    public async Task<bool> IsHealthyAsync(CancellationToken cancellationToken)
    {
        if (!_network.IsReady)
        {
            return false;
        }

        try
        {
            var reply = await _manager.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow + ManagerTimeout, cancellationToken: cancellationToken);
            return reply.Status == HealthCheckResponse.Types.ServingStatus.Serving;
        }
        catch (RpcException)
        {
            return false;
        }
    }
}
