using Grpc.Core;

namespace InfraManager.P4;

/// <summary>
/// A P4Runtime call that failed. <see cref="Code"/> is the RPC's status (UNKNOWN when only some
/// updates of a Write failed; UNAVAILABLE when the target cannot be reached). For a Write,
/// <see cref="UpdateStatuses"/> has one entry per update passed to the call, in the same order: OK
/// for those applied, the target's canonical code for those it refused, and the RPC's code for
/// those whose request failed as a whole or was never sent.
/// </summary>
internal sealed class P4RuntimeException : Exception
{
    public P4RuntimeException(StatusCode code, string message, IReadOnlyList<P4UpdateStatus>? updateStatuses = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Code = code;
        UpdateStatuses = updateStatuses ?? [];
    }

    public P4RuntimeException()
        : this(StatusCode.Unknown, "P4Runtime call failed")
    {
    }

    public P4RuntimeException(string message)
        : this(StatusCode.Unknown, message)
    {
    }

    public P4RuntimeException(string message, Exception innerException)
        : this(StatusCode.Unknown, message, innerException: innerException)
    {
    }

    public StatusCode Code { get; }

    /// <summary>Per update of a Write, in request order; empty for other calls.</summary>
    public IReadOnlyList<P4UpdateStatus> UpdateStatuses { get; }

    /// <summary>The positions (in the caller's list) of the updates that were not applied.</summary>
    public IEnumerable<int> FailedUpdates()
    {
        for (var i = 0; i < UpdateStatuses.Count; i++)
        {
            if (!UpdateStatuses[i].IsOk)
            {
                yield return i;
            }
        }
    }
}
