using Grpc.Core;
using P4Pipeline;
using Proto.P4.V1;
using Action = System.Action;

namespace SoftTarget.Runtime;

/// <summary>
/// The P4Runtime device: arbitration, the forwarding pipeline and its state, and the rules of
/// p4runtime-semantics.md for Write, Read and the pipeline RPCs. One writer at a time (the write
/// gate); readers and the data plane never wait for it.
/// </summary>
internal sealed class P4Device
{
    private readonly Lock _gate = new();
    private readonly Action<P4InfoIndex> _verifyProgram;
    private ForwardingPipeline? _pipeline;
    private ForwardingPipelineConfig? _saved;

    /// <param name="verifyProgram">Throws <see cref="P4InfoException"/> when the data plane cannot run the P4Info.</param>
    public P4Device(ulong deviceId, Action<P4InfoIndex> verifyProgram)
    {
        DeviceId = deviceId;
        _verifyProgram = verifyProgram;
        Arbitration = new Arbitration(deviceId);
    }

    public ulong DeviceId { get; }

    public Arbitration Arbitration { get; }

    public ForwardingPipeline? Pipeline => Volatile.Read(ref _pipeline);

    /// <summary>Raised under the write gate when a new pipeline (with empty or reconciled state) takes effect.</summary>
    public event Action<ForwardingPipeline>? PipelineCommitted;

    public void SetPipeline(SetForwardingPipelineConfigRequest request)
    {
        CheckDevice(request.DeviceId);
        if (!Arbitration.IsPrimary(request.Role, request.ElectionId))
        {
            throw new P4UpdateException(StatusCode.PermissionDenied, "only the primary client may set the forwarding pipeline");
        }

        var action = request.Action;
        if (action == SetForwardingPipelineConfigRequest.Types.Action.Commit)
        {
            lock (_gate)
            {
                Commit(Verify(_saved ?? throw new P4UpdateException(StatusCode.FailedPrecondition, "COMMIT without a saved pipeline (VERIFY_AND_SAVE first)")), reconcile: false);
                _saved = null;
            }

            return;
        }

        if (request.Config is null)
        {
            throw new P4UpdateException(StatusCode.InvalidArgument, "config: missing");
        }

        var verified = Verify(request.Config);
        lock (_gate)
        {
            switch (action)
            {
                case SetForwardingPipelineConfigRequest.Types.Action.Verify:
                    break;
                case SetForwardingPipelineConfigRequest.Types.Action.VerifyAndSave:
                    _saved = request.Config;
                    break;
                case SetForwardingPipelineConfigRequest.Types.Action.VerifyAndCommit:
                    Commit(verified, reconcile: false);
                    break;
                case SetForwardingPipelineConfigRequest.Types.Action.ReconcileAndCommit:
                    Commit(verified, reconcile: true);
                    break;
                default:
                    throw new P4UpdateException(StatusCode.InvalidArgument, $"action: {action} is not a pipeline action");
            }
        }
    }

    public ForwardingPipelineConfig GetPipeline(GetForwardingPipelineConfigRequest request)
    {
        CheckDevice(request.DeviceId);
        var pipeline = Pipeline ?? throw new P4UpdateException(StatusCode.FailedPrecondition, "no forwarding pipeline is set");
        var config = pipeline.Config;
        return request.ResponseType switch
        {
            GetForwardingPipelineConfigRequest.Types.ResponseType.CookieOnly => new ForwardingPipelineConfig { Cookie = config.Cookie },
            GetForwardingPipelineConfigRequest.Types.ResponseType.P4InfoAndCookie => new ForwardingPipelineConfig { P4Info = config.P4Info, Cookie = config.Cookie },
            GetForwardingPipelineConfigRequest.Types.ResponseType.DeviceConfigAndCookie => new ForwardingPipelineConfig { P4DeviceConfig = config.P4DeviceConfig, Cookie = config.Cookie },
            _ => config,
        };
    }

    /// <summary>Applies the updates; returns one error (or null) per update, in request order.</summary>
    public P4UpdateException?[] Write(WriteRequest request)
    {
        CheckDevice(request.DeviceId);
        var pipeline = Pipeline ?? throw new P4UpdateException(StatusCode.FailedPrecondition, "no forwarding pipeline is set");
        if (!Arbitration.IsPrimary(request.Role, request.ElectionId))
        {
            throw new P4UpdateException(StatusCode.PermissionDenied, "only the primary client may write (election id does not match the primary's)");
        }

        if (request.Atomicity == WriteRequest.Types.Atomicity.DataplaneAtomic)
        {
            throw new P4UpdateException(StatusCode.Unimplemented, "atomicity: DATAPLANE_ATOMIC is not supported; use CONTINUE_ON_ERROR or ROLLBACK_ON_ERROR");
        }

        var errors = new P4UpdateException?[request.Updates.Count];
        var rollback = request.Atomicity == WriteRequest.Types.Atomicity.RollbackOnError;
        var undo = new List<Action>(rollback ? request.Updates.Count : 0);
        var applier = new WriteApplier(pipeline, rollback ? undo : null);
        lock (_gate)
        {
            var failed = false;
            for (var i = 0; i < request.Updates.Count; i++)
            {
                try
                {
                    applier.Apply(request.Updates[i]);
                }
                catch (P4UpdateException e)
                {
                    errors[i] = e;
                    failed = true;
                }
            }

            if (failed && rollback)
            {
                for (var i = undo.Count - 1; i >= 0; i--)
                {
                    undo[i]();
                }

                for (var i = 0; i < errors.Length; i++)
                {
                    errors[i] ??= new P4UpdateException(StatusCode.Aborted, "rolled back: another update of the batch failed");
                }
            }

            // Once per request, not per update: a batch reaches the LPM lookups whole.
            pipeline.Publish();
        }

        return errors;
    }

    public IEnumerable<Entity> Read(ReadRequest request)
    {
        CheckDevice(request.DeviceId);
        var pipeline = Pipeline ?? throw new P4UpdateException(StatusCode.FailedPrecondition, "no forwarding pipeline is set");
        foreach (var entity in request.Entities)
        {
            if (entity.EntityCase is not (Entity.EntityOneofCase.TableEntry or Entity.EntityOneofCase.ActionProfileMember or Entity.EntityOneofCase.ActionProfileGroup))
            {
                throw new P4UpdateException(StatusCode.Unimplemented, $"reading {entity.EntityCase} is not supported");
            }
        }

        // Filters are checked here, inside the caller's error handling; entries stream lazily.
        var perFilter = request.Entities.Select(entity => EntityReader.Read(pipeline, entity)).ToList();
        return perFilter.SelectMany(entities => entities);
    }

    private void CheckDevice(ulong deviceId)
    {
        if (deviceId != DeviceId)
        {
            throw new P4UpdateException(StatusCode.NotFound, $"device id {deviceId} is not this target's ({DeviceId})");
        }
    }

    private (ForwardingPipelineConfig Config, P4InfoIndex Index) Verify(ForwardingPipelineConfig config)
    {
        if (config.P4Info is null)
        {
            throw new P4UpdateException(StatusCode.InvalidArgument, "config.p4info: missing");
        }

        try
        {
            var index = P4InfoIndex.Build(config.P4Info);
            _verifyProgram(index);
            return (config, index);
        }
        catch (P4InfoException e)
        {
            throw new P4UpdateException(StatusCode.InvalidArgument, $"config.p4info: {e.Message}");
        }
    }

    private void Commit((ForwardingPipelineConfig Config, P4InfoIndex Index) verified, bool reconcile)
    {
        var next = new ForwardingPipeline(verified.Config, verified.Index);
        if (reconcile && Pipeline is { } current)
        {
            PipelineReconciler.Carry(current, next);
            next.Publish();
        }

        Volatile.Write(ref _pipeline, next);
        PipelineCommitted?.Invoke(next);
    }
}
