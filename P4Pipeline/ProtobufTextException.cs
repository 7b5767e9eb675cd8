namespace P4Pipeline;

/// <summary>Text that is not valid protobuf text format for the message; says where.</summary>
public sealed class ProtobufTextException : FormatException
{
    public ProtobufTextException(string message)
        : base(message)
    {
    }

    public ProtobufTextException(int line, int column, string message)
        : base($"line {line}, column {column}: {message}")
    {
    }

    public ProtobufTextException()
    {
    }

    public ProtobufTextException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
