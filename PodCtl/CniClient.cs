using Grpc.Core;
using Grpc.Net.Client;
using Proto.Cni;

namespace PodCtl;

/// <summary>The agent's cni.CniDataplane as Calico dials it: plain gRPC, a 5-second deadline per call.</summary>
internal sealed class CniClient : IDisposable
{
    private static readonly TimeSpan s_callTimeout = TimeSpan.FromSeconds(5);
    private readonly GrpcChannel _channel;
    private readonly CniDataplane.CniDataplaneClient _client;

    public CniClient(string hostPort)
    {
        _channel = GrpcChannel.ForAddress("http://" + hostPort);
        _client = new CniDataplane.CniDataplaneClient(_channel);
    }

    public async Task<AddReply> AddAsync(AddRequest request, CancellationToken cancellationToken) =>
        await _client.AddAsync(request, deadline: DateTime.UtcNow + s_callTimeout, cancellationToken: cancellationToken);

    public async Task<DelReply> DelAsync(DelRequest request, CancellationToken cancellationToken) =>
        await _client.DelAsync(request, deadline: DateTime.UtcNow + s_callTimeout, cancellationToken: cancellationToken);

    public void Dispose() => _channel.Dispose();
}
