using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;
using Proto.P4.V1;
using SoftTarget.DataPlane;
using SoftTarget.Runtime;
using SoftTargetKit;

namespace SoftTarget.Tests.DataPlane;

/// <summary>
/// SoftTarget's P4Runtime device and k8s_dp engine in-process: Write and Read requests go through the
/// device (what the gRPC service hands them to), frames through the engine. No TAPs, no root, a fake clock.
/// </summary>
internal sealed class InProcessTarget
{
    private const ulong DeviceId = 1;
    private readonly Uint128 _electionId = new() { High = 0, Low = 1 };

    public InProcessTarget()
    {
        Device = new P4Device(DeviceId, K8sDpProgram.Verify);
        Engine = new K8sDpEngine(Time);
        Device.PipelineCommitted += pipeline => Engine.Tables = new K8sDpTables(pipeline);
        var stream = new ArbitrationStream(Channel.CreateUnbounded<StreamMessageResponse>().Writer);
        Device.Arbitration.Join(stream);
        Device.Arbitration.Update(stream, new MasterArbitrationUpdate { DeviceId = DeviceId, ElectionId = _electionId });
        Device.SetPipeline(new SetForwardingPipelineConfigRequest
        {
            DeviceId = DeviceId,
            ElectionId = _electionId,
            Action = SetForwardingPipelineConfigRequest.Types.Action.VerifyAndCommit,
            Config = new ForwardingPipelineConfig { P4Info = SoftTargetProcess.K8sDpP4Info },
        });
    }

    public FakeTimeProvider Time { get; } = new();

    public P4Device Device { get; }

    public K8sDpEngine Engine { get; }

    /// <summary>One Write request; throws with the failures' messages when an update fails.</summary>
    public void Write(params Update[] updates)
    {
        var failures = new List<string>();
        foreach (var error in TryWrite(updates))
        {
            if (error is not null)
            {
                failures.Add($"{error.Code}: {error.Message}");
            }
        }

        if (failures.Count > 0)
        {
            throw new InvalidOperationException(string.Join("; ", failures));
        }
    }

    /// <summary>One Write request; one error or null per update, in request order.</summary>
    public P4UpdateException?[] TryWrite(params Update[] updates)
    {
        var request = new WriteRequest { DeviceId = DeviceId, ElectionId = _electionId };
        request.Updates.AddRange(updates);
        return Device.Write(request);
    }

    public List<TableEntry> Read(TableEntry filter)
    {
        var request = new ReadRequest { DeviceId = DeviceId };
        request.Entities.Add(new Entity { TableEntry = filter });
        return [.. Device.Read(request).Select(e => e.TableEntry)];
    }

    /// <summary>Runs <paramref name="frame"/> (rewritten in place) through k8s_dp: the output port, or <see cref="K8sDpEngine.Drop"/>.</summary>
    public int Send(byte[] frame) => Engine.Process(frame, checksumPartial: false);
}
