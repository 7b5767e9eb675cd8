using Grpc.Core;

namespace InfraManager.P4;

/// <summary>
/// A TAP name the target could not map to a P4 port: unknown to it (NOT_FOUND), unreachable
/// (UNAVAILABLE...), or an answer of another shape than the one tdi-portin-id has (DATA_LOSS).
/// </summary>
internal sealed class PortLookupException : Exception
{
    public PortLookupException(StatusCode code, string interfaceName, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Code = code;
        InterfaceName = interfaceName;
    }

    public PortLookupException()
        : this(StatusCode.Unknown, string.Empty, "gNMI port lookup failed")
    {
    }

    public PortLookupException(string message)
        : this(StatusCode.Unknown, string.Empty, message)
    {
    }

    public PortLookupException(string message, Exception innerException)
        : this(StatusCode.Unknown, string.Empty, message, innerException)
    {
    }

    public StatusCode Code { get; }

    public string InterfaceName { get; }
}
