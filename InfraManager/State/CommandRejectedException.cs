namespace InfraManager.State;

/// <summary>A request that is well formed but conflicts with the state (e.g. another pod holds the IP); nothing was changed.</summary>
internal sealed class CommandRejectedException : Exception
{
    public CommandRejectedException(string message)
        : base(message)
    {
    }

    public CommandRejectedException()
    {
    }

    public CommandRejectedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
