namespace P4Pipeline;

/// <summary>A P4Info that cannot serve as a contract (duplicate or missing ids, unknown names).</summary>
public sealed class P4InfoException : Exception
{
    public P4InfoException(string message)
        : base(message)
    {
    }

    public P4InfoException()
    {
    }

    public P4InfoException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
