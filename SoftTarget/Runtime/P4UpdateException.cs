using Grpc.Core;

namespace SoftTarget.Runtime;

/// <summary>One update (or request) refused, with the canonical code P4Runtime prescribes for the reason.</summary>
internal sealed class P4UpdateException : Exception
{
    public P4UpdateException(StatusCode code, string message)
        : base(message)
    {
        Code = code;
    }

    public P4UpdateException()
    {
    }

    public P4UpdateException(string message)
        : base(message)
    {
    }

    public P4UpdateException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public StatusCode Code { get; } = StatusCode.Unknown;
}
