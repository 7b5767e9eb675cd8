namespace InfraAgent.Cni;

/// <summary>
/// Sets up the pod interfaces at start (reference-behaviour.md 6.2 step 3.1). Calls that arrive before
/// it is done wait for it; if it fails the agent stops, as the Go agent did. When stopping, it waits for
/// the TAPs of deleted pods that are still on their way home.
/// </summary>
internal sealed class CniInitializationService : BackgroundService
{
    private readonly CniPodNetwork _network;

    public CniInitializationService(CniPodNetwork network)
    {
        _network = network;
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await _network.WhenReturnedAsync().WaitAsync(cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => _network.InitializeAsync(stoppingToken);
}
