using System.Threading.Channels;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Proto.P4.Config.V1;
using Proto.P4.V1;
using TestSupport;

namespace SoftTargetKit;

/// <summary>A P4Runtime client as a controller runs it: a StreamChannel with an election id, then writes and reads.</summary>
public sealed class P4Session : IAsyncDisposable
{
    private static long _nextElection = DateTime.UtcNow.Ticks;
    private readonly AsyncDuplexStreamingCall<StreamMessageRequest, StreamMessageResponse> _stream;
    private readonly Channel<MasterArbitrationUpdate> _arbitrations = Channel.CreateUnbounded<MasterArbitrationUpdate>();
    private readonly Task _reader;

    private P4Session(GrpcChannel channel, ulong deviceId, Uint128 electionId)
    {
        Client = new P4Runtime.P4RuntimeClient(channel);
        DeviceId = deviceId;
        ElectionId = electionId;
        _stream = Client.StreamChannel();
        _reader = Task.Run(async () =>
        {
            try
            {
                await foreach (var message in _stream.ResponseStream.ReadAllAsync())
                {
                    if (message.Arbitration is { } update)
                    {
                        await _arbitrations.Writer.WriteAsync(update);
                    }
                }

                _arbitrations.Writer.TryComplete();
            }
            catch (RpcException e)
            {
                _arbitrations.Writer.TryComplete(e);
            }
        });
    }

    public P4Runtime.P4RuntimeClient Client { get; }

    public ulong DeviceId { get; }

    public Uint128 ElectionId { get; }

    /// <summary>A higher election id than any session made before, so the new session becomes primary.</summary>
    public static Uint128 NextElectionId() => new() { High = 0, Low = (ulong)Interlocked.Increment(ref _nextElection) };

    public static async Task<P4Session> OpenAsync(SoftTargetProcess target, Uint128? electionId = null)
    {
        var session = new P4Session(target.P4Runtime, target.DeviceId, electionId ?? NextElectionId());
        await session.SendArbitrationAsync(session.DeviceId);
        return session;
    }

    public async Task SendArbitrationAsync(ulong deviceId) =>
        await _stream.RequestStream.WriteAsync(new StreamMessageRequest { Arbitration = new MasterArbitrationUpdate { DeviceId = deviceId, ElectionId = ElectionId } });

    /// <summary>The next arbitration message; a stream the target ended throws its RpcException.</summary>
    public async Task<MasterArbitrationUpdate> NextArbitrationAsync()
    {
        try
        {
            return await _arbitrations.Reader.ReadAsync().AsTask().DefaultTimeout();
        }
        catch (ChannelClosedException e) when (e.InnerException is RpcException error)
        {
            throw error;
        }
    }

    /// <summary>Opens a session and waits until it is told it is the primary, then commits the k8s_dp pipeline (clearing all state).</summary>
    public static async Task<P4Session> PrimaryWithPipelineAsync(SoftTargetProcess target)
    {
        var session = await OpenAsync(target);
        var update = await session.NextArbitrationAsync();
        if (update.Status.Code != 0)
        {
            throw new InvalidOperationException($"not primary: {update}");
        }

        await session.SetPipelineAsync(SoftTargetProcess.K8sDpP4Info);
        return session;
    }

    public async Task SetPipelineAsync(P4Info info, SetForwardingPipelineConfigRequest.Types.Action action = SetForwardingPipelineConfigRequest.Types.Action.VerifyAndCommit) =>
        await Client.SetForwardingPipelineConfigAsync(new SetForwardingPipelineConfigRequest
        {
            DeviceId = DeviceId,
            ElectionId = ElectionId,
            Action = action,
            Config = new ForwardingPipelineConfig { P4Info = info, P4DeviceConfig = ByteString.CopyFromUtf8("k8s_dp"), Cookie = new ForwardingPipelineConfig.Types.Cookie { Cookie_ = 42 } },
        });

    public async Task WriteAsync(IEnumerable<Update> updates, WriteRequest.Types.Atomicity atomicity = WriteRequest.Types.Atomicity.ContinueOnError)
    {
        var request = new WriteRequest { DeviceId = DeviceId, ElectionId = ElectionId, Atomicity = atomicity };
        request.Updates.AddRange(updates);
        await Client.WriteAsync(request, deadline: DateTime.UtcNow.AddSeconds(30));
    }

    public Task WriteAsync(params Update[] updates) => WriteAsync((IEnumerable<Update>)updates);

    public async Task<List<Entity>> ReadAsync(params Entity[] filters)
    {
        var request = new ReadRequest { DeviceId = DeviceId };
        request.Entities.AddRange(filters);
        using var call = Client.Read(request, deadline: DateTime.UtcNow.AddSeconds(30));
        var entities = new List<Entity>();
        await foreach (var response in call.ResponseStream.ReadAllAsync())
        {
            entities.AddRange(response.Entities);
        }

        return entities;
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.RequestStream.CompleteAsync();
        try
        {
            await _reader.DefaultTimeout();
        }
        catch (RpcException)
        {
            // The stream may already have been refused; nothing more to read.
        }

        _stream.Dispose();
    }
}
