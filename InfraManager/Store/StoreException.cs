namespace InfraManager.Store;

/// <summary>
/// The store cannot be read or written. The message starts with the file and says what is wrong with
/// it ("/var/lib/cni/inframanager/state.json: unknown version 7").
/// </summary>
internal sealed class StoreException : Exception
{
    public StoreException()
        : base("state store failure")
    {
    }

    public StoreException(string message)
        : base(message)
    {
    }

    public StoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
