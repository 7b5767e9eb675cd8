namespace InfraManager.Api;

internal static partial class ManagerApiLog
{
    [LoggerMessage(EventId = 500, Level = LogLevel.Information, Message = "infra.InfraAgent API listening: {Endpoint}")]
    public static partial void Listening(ILogger logger, ManagerApiEndpoint endpoint);
}
