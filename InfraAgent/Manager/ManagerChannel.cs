using DaemonHost.Tls;
using Grpc.Net.Client;

namespace InfraAgent.Manager;

/// <summary>The agent's one channel to the manager and the TLS material behind it, disposed together.</summary>
internal sealed class ManagerChannel : IDisposable
{
    private readonly ReloadingTlsMaterial? _material;

    public ManagerChannel(ReloadingTlsMaterial? material, AgentOptions options)
    {
        _material = material;
        Channel = ManagerChannelFactory.Create(options, material);
    }

    public GrpcChannel Channel { get; }

    public void Dispose()
    {
        Channel.Dispose();
        _material?.Dispose();
    }
}
