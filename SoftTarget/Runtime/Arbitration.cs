using Grpc.Core;
using Proto.P4.V1;
using Status = Google.Rpc.Status;

namespace SoftTarget.Runtime;

/// <summary>
/// Primary election per role (p4runtime-semantics.md, Arbitration): the live stream with the highest
/// election id is primary and is told OK; the others are told ALREADY_EXISTS with the primary's id.
/// When the primary's stream closes the next highest takes over and every stream hears of it.
/// </summary>
internal sealed class Arbitration
{
    private readonly Lock _gate = new();
    private readonly List<ArbitrationStream> _streams = [];
    private readonly ulong _deviceId;

    public Arbitration(ulong deviceId)
    {
        _deviceId = deviceId;
    }

    public static UInt128? ToUInt128(Uint128? id) => id is null ? null : ((UInt128)id.High << 64) | id.Low;

    public bool IsPrimary(string role, Uint128? electionId)
    {
        var claimed = ToUInt128(electionId);
        lock (_gate)
        {
            return claimed is not null && Primary(role)?.ElectionId == claimed;
        }
    }

    public void Join(ArbitrationStream stream)
    {
        lock (_gate)
        {
            _streams.Add(stream);
        }
    }

    /// <summary>Applies a MasterArbitrationUpdate from <paramref name="stream"/>; a clash or wrong device is refused.</summary>
    public void Update(ArbitrationStream stream, MasterArbitrationUpdate update)
    {
        if (update.DeviceId != _deviceId)
        {
            throw new P4UpdateException(StatusCode.NotFound, $"device id {update.DeviceId} is not this target's ({_deviceId})");
        }

        var role = update.Role?.Name ?? string.Empty;
        var electionId = ToUInt128(update.ElectionId);
        lock (_gate)
        {
            if (electionId is not null && _streams.Any(s => s != stream && s.Arbitrated && s.Role == role && s.ElectionId == electionId))
            {
                throw new P4UpdateException(StatusCode.InvalidArgument, $"election id {electionId} is already held by another live stream for role '{role}'");
            }

            var before = Primary(role);
            var oldRole = stream.Role;
            stream.Role = role;
            stream.ElectionId = electionId;
            stream.Arbitrated = true;
            var after = Primary(role);
            if (before != after)
            {
                Announce(role, after);
            }
            else
            {
                Tell(stream, after, role);
            }

            if (oldRole != role)
            {
                Announce(oldRole, Primary(oldRole));
            }
        }
    }

    public void Leave(ArbitrationStream stream)
    {
        lock (_gate)
        {
            var wasPrimary = stream.Arbitrated && Primary(stream.Role) == stream;
            _streams.Remove(stream);
            if (wasPrimary)
            {
                Announce(stream.Role, Primary(stream.Role));
            }
        }
    }

    private ArbitrationStream? Primary(string role)
    {
        ArbitrationStream? best = null;
        foreach (var candidate in _streams)
        {
            if (candidate.Arbitrated && candidate.Role == role && candidate.ElectionId is { } id && (best is null || id > best.ElectionId))
            {
                best = candidate;
            }
        }

        return best;
    }

    private void Announce(string role, ArbitrationStream? primary)
    {
        foreach (var stream in _streams.Where(s => s.Arbitrated && s.Role == role))
        {
            Tell(stream, primary, role);
        }
    }

    private void Tell(ArbitrationStream stream, ArbitrationStream? primary, string role)
    {
        var update = new MasterArbitrationUpdate
        {
            DeviceId = _deviceId,
            Status = primary is null
                ? new Status { Code = (int)StatusCode.NotFound, Message = "no primary: no stream has an election id" }
                : primary == stream
                    ? new Status { Code = (int)StatusCode.OK, Message = "you are the primary" }
                    : new Status { Code = (int)StatusCode.AlreadyExists, Message = "another client is the primary" },
        };
        if (!string.IsNullOrEmpty(role))
        {
            update.Role = new Role { Name = role };
        }

        if (primary?.ElectionId is { } id)
        {
            update.ElectionId = new Uint128 { High = (ulong)(id >> 64), Low = (ulong)id };
        }

        // Unbounded channel: never blocks under the lock.
        stream.Outbound.TryWrite(new StreamMessageResponse { Arbitration = update });
    }
}
