using System.Threading.Channels;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Proto.P4.V1;
using SoftTarget.Runtime;
using Status = Google.Rpc.Status;

namespace SoftTarget.Api;

/// <summary>p4.v1.P4Runtime over the device; refusals become the status codes p4runtime-semantics.md names.</summary>
internal sealed partial class P4RuntimeService : P4Runtime.P4RuntimeBase
{
    private const int ReadBatch = 1000;
    private readonly P4Device _device;
    private readonly ILogger<P4RuntimeService> _logger;

    public P4RuntimeService(P4Device device, ILogger<P4RuntimeService> logger)
    {
        _device = device;
        _logger = logger;
    }

    public override Task<WriteResponse> Write(WriteRequest request, ServerCallContext context)
    {
        var errors = Guard(() => _device.Write(request));
        var failed = 0;
        foreach (var error in errors)
        {
            failed += error is null ? 0 : 1;
        }

        if (failed == 0)
        {
            return Task.FromResult(new WriteResponse());
        }

        // One p4.v1.Error per update, in request order, OK for those that succeeded.
        var first = errors.First(e => e is not null)!; // failed > 0
        var status = new Status { Code = (int)StatusCode.Unknown, Message = $"{failed} of {errors.Length} updates failed; first: {first.Message}" };
        foreach (var error in errors)
        {
            status.Details.Add(Any.Pack(new Error
            {
                CanonicalCode = (int)(error?.Code ?? StatusCode.OK),
                Message = error?.Message ?? string.Empty,
            }));
        }

        LogWriteFailed(_logger, failed, errors.Length, first.Message);
        throw status.ToRpcException();
    }

    public override async Task Read(ReadRequest request, IServerStreamWriter<ReadResponse> responseStream, ServerCallContext context)
    {
        var entities = Guard(() => _device.Read(request));
        var response = new ReadResponse();
        foreach (var entity in entities)
        {
            response.Entities.Add(entity);
            if (response.Entities.Count == ReadBatch)
            {
                await responseStream.WriteAsync(response, context.CancellationToken);
                response = new ReadResponse();
            }
        }

        if (response.Entities.Count > 0)
        {
            await responseStream.WriteAsync(response, context.CancellationToken);
        }
    }

    public override Task<SetForwardingPipelineConfigResponse> SetForwardingPipelineConfig(SetForwardingPipelineConfigRequest request, ServerCallContext context)
    {
        Guard(() =>
        {
            _device.SetPipeline(request);
            return true;
        });
        LogPipelineSet(_logger, request.Action, request.Config?.Cookie?.Cookie_ ?? 0);
        return Task.FromResult(new SetForwardingPipelineConfigResponse());
    }

    public override Task<GetForwardingPipelineConfigResponse> GetForwardingPipelineConfig(GetForwardingPipelineConfigRequest request, ServerCallContext context) =>
        Task.FromResult(new GetForwardingPipelineConfigResponse { Config = Guard(() => _device.GetPipeline(request)) });

    public override Task<CapabilitiesResponse> Capabilities(CapabilitiesRequest request, ServerCallContext context) =>
        Task.FromResult(new CapabilitiesResponse { P4RuntimeApiVersion = "1.4.1" });

    public override async Task StreamChannel(IAsyncStreamReader<StreamMessageRequest> requestStream, IServerStreamWriter<StreamMessageResponse> responseStream, ServerCallContext context)
    {
        var outbound = Channel.CreateUnbounded<StreamMessageResponse>(new UnboundedChannelOptions { SingleReader = true });
        var stream = new ArbitrationStream(outbound.Writer);
        _device.Arbitration.Join(stream);
        var writer = Task.Run(async () =>
        {
            await foreach (var message in outbound.Reader.ReadAllAsync(context.CancellationToken))
            {
                await responseStream.WriteAsync(message, context.CancellationToken);
            }
        });
        try
        {
            await foreach (var message in requestStream.ReadAllAsync(context.CancellationToken))
            {
                if (message.UpdateCase == StreamMessageRequest.UpdateOneofCase.Arbitration)
                {
                    Guard(() =>
                    {
                        _device.Arbitration.Update(stream, message.Arbitration);
                        return true;
                    });
                    LogArbitration(_logger, context.Peer, message.Arbitration.ElectionId);
                }
                else if (!stream.Arbitrated)
                {
                    throw new RpcException(new Grpc.Core.Status(StatusCode.FailedPrecondition, "the first message on the stream must be a MasterArbitrationUpdate"));
                }
            }
        }
        finally
        {
            _device.Arbitration.Leave(stream);
            outbound.Writer.TryComplete();
            try
            {
                await writer;
            }
            catch (OperationCanceledException)
            {
                // The client went away; nothing is left to send.
            }
        }
    }

    private static T Guard<T>(Func<T> call)
    {
        try
        {
            return call();
        }
        catch (P4UpdateException e)
        {
            throw new RpcException(new Grpc.Core.Status(e.Code, e.Message));
        }
    }

    [LoggerMessage(EventId = 600, Level = LogLevel.Information, Message = "pipeline set: {Action}, cookie {Cookie}")]
    private static partial void LogPipelineSet(ILogger logger, SetForwardingPipelineConfigRequest.Types.Action action, ulong cookie);

    [LoggerMessage(EventId = 601, Level = LogLevel.Information, Message = "arbitration from {Peer}: election id {ElectionId}")]
    private static partial void LogArbitration(ILogger logger, string peer, Uint128? electionId);

    [LoggerMessage(EventId = 602, Level = LogLevel.Debug, Message = "write: {Failed} of {Total} updates failed; first: {First}")]
    private static partial void LogWriteFailed(ILogger logger, int failed, int total, string first);
}
