namespace InfraManager.Tables;

/// <summary>A change would put more entries in a table, selector or group than the P4Info allows; nothing was written.</summary>
internal sealed class CapacityException : Exception
{
    public CapacityException(string message)
        : base(message)
    {
    }

    public CapacityException()
    {
    }

    public CapacityException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
