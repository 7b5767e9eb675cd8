namespace DaemonHost;

/// <summary>A daemon cannot start for a reason outside its configuration (a peer refused it); the message says which.</summary>
public sealed class DaemonStartException : Exception
{
    public DaemonStartException(string message)
        : base(message)
    {
    }

    public DaemonStartException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public DaemonStartException()
    {
    }
}
