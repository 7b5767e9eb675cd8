namespace InfraAgent.Readiness;

internal static partial class HealthLog
{
    [LoggerMessage(EventId = 150, Level = LogLevel.Information, Message = "Health endpoint on port {Port}: /check and /metrics")]
    public static partial void Listening(ILogger logger, int port);
}
