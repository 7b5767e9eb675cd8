namespace InfraAgent.Policy;

/// <summary>
/// A frame on the Felix socket that cannot be read: a length over the limit, a message that does not parse,
/// or the stream ending inside a frame. The stream cannot be resynchronized after one, so the connection ends.
/// </summary>
internal sealed class FelixFrameException : Exception
{
    public FelixFrameException()
    {
    }

    public FelixFrameException(string message)
        : base(message)
    {
    }

    public FelixFrameException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
