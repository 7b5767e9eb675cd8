namespace InfraManager.Api;

internal static partial class ApiLog
{
    [LoggerMessage(EventId = 500, Level = LogLevel.Information, Message = "infra.InfraAgent API listening: {Endpoint}")]
    public static partial void Listening(ILogger logger, ManagerApiEndpoint endpoint);

    [LoggerMessage(EventId = 501, Level = LogLevel.Warning, Message = "{Method}: refused with {Code}: {Reason}")]
    public static partial void RequestRefused(ILogger logger, string method, Grpc.Core.StatusCode code, string reason);

    [LoggerMessage(EventId = 502, Level = LogLevel.Warning, Message = "{Method}: not done: {Reason}")]
    public static partial void RequestFailed(ILogger logger, string method, string reason);

    [LoggerMessage(EventId = 504, Level = LogLevel.Warning, Message = "{Key}: {Reason}")]
    public static partial void PolicyNotExpressible(ILogger logger, string key, string reason);

    [LoggerMessage(EventId = 503, Level = LogLevel.Error, Message = "{Method}: unexpected failure")]
    public static partial void RequestCrashed(ILogger logger, string method, Exception exception);
}
