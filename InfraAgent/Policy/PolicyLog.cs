namespace InfraAgent.Policy;

internal static partial class PolicyLog
{
    [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "Felix socket listening: {Path}")]
    public static partial void Listening(ILogger logger, string path);

    [LoggerMessage(EventId = 401, Level = LogLevel.Information, Message = "Felix connection {Connection} opened")]
    public static partial void Connected(ILogger logger, long connection);

    [LoggerMessage(EventId = 402, Level = LogLevel.Information, Message = "Felix connection {Connection} closed by the peer after {Messages} messages")]
    public static partial void Closed(ILogger logger, long connection, long messages);

    [LoggerMessage(EventId = 403, Level = LogLevel.Error, Message = "Felix connection {Connection}: {Problem}; closing it (a stream cannot be resynchronized after a bad frame)")]
    public static partial void BadFrame(ILogger logger, long connection, string problem);

    [LoggerMessage(EventId = 404, Level = LogLevel.Warning, Message = "Felix connection {Connection} failed after {Messages} messages: {Problem}")]
    public static partial void ConnectionFailed(ILogger logger, long connection, long messages, string problem);

    [LoggerMessage(EventId = 405, Level = LogLevel.Debug, Message = "Felix #{Sequence} {Payload}: {Rpc} done")]
    public static partial void Relayed(ILogger logger, ulong sequence, FelixPayload payload, string rpc);

    [LoggerMessage(EventId = 406, Level = LogLevel.Error, Message = "Felix #{Sequence} {Payload}: the manager refused {Rpc}: {Error}; going on with the next message")]
    public static partial void Refused(ILogger logger, ulong sequence, FelixPayload payload, string rpc, string error);

    [LoggerMessage(EventId = 407, Level = LogLevel.Warning, Message = "Felix #{Sequence} {Payload}: manager unreachable for {Rpc} ({Error}); retry {Attempt} in {Delay}")]
    public static partial void Retrying(ILogger logger, ulong sequence, FelixPayload payload, string rpc, string error, int attempt, TimeSpan delay);

    [LoggerMessage(EventId = 408, Level = LogLevel.Information, Message = "Felix #{Sequence}: in sync")]
    public static partial void InSync(ILogger logger, ulong sequence);

    [LoggerMessage(EventId = 409, Level = LogLevel.Information, Message = "Felix #{Sequence}: configuration with {Count} settings")]
    public static partial void Config(ILogger logger, ulong sequence, int count);

    [LoggerMessage(EventId = 410, Level = LogLevel.Debug, Message = "Felix #{Sequence} {Payload}: the manager has no RPC for it; not relayed")]
    public static partial void NotRelayed(ILogger logger, ulong sequence, FelixPayload payload);

    [LoggerMessage(EventId = 411, Level = LogLevel.Warning, Message = "Felix #{Sequence}: unhandled message from Felix ({Bytes} bytes, no payload this agent knows); skipped")]
    public static partial void Unhandled(ILogger logger, ulong sequence, int bytes);

    [LoggerMessage(EventId = 412, Level = LogLevel.Error, Message = "Felix socket {Path}: accept failed; retrying")]
    public static partial void AcceptFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 413, Level = LogLevel.Information, Message = "Felix #{Sequence} {Payload}: {Rpc} done after {Attempts} attempts (the manager is back)")]
    public static partial void Recovered(ILogger logger, ulong sequence, FelixPayload payload, string rpc, int attempts);

    [LoggerMessage(EventId = 414, Level = LogLevel.Information, Message = "Felix #{Sequence}: in sync without {Payload}, which the manager still had; removing it there")]
    public static partial void StaleItem(ILogger logger, ulong sequence, FelixPayload payload);
}
