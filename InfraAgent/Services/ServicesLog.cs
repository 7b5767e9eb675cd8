namespace InfraAgent.Services;

internal static partial class ServicesLog
{
    [LoggerMessage(300, LogLevel.Information, "services: caches synced ({Services} services, {Slices} endpoint slices)")]
    public static partial void Synced(ILogger logger, int services, int slices);

    [LoggerMessage(301, LogLevel.Information, "service port {Key} programmed with {Backends} backends")]
    public static partial void Programmed(ILogger logger, string key, int backends);

    [LoggerMessage(302, LogLevel.Information, "service port {Key} removed")]
    public static partial void Removed(ILogger logger, string key);

    [LoggerMessage(303, LogLevel.Warning, "service port {Key}: {Operation} failed ({Error}); retry {Attempt} in {Delay}")]
    public static partial void Failed(ILogger logger, string key, string operation, string error, int attempt, TimeSpan delay);

    [LoggerMessage(304, LogLevel.Warning, "service {Service}: skipped {What}")]
    public static partial void Skipped(ILogger logger, string service, string what);

    [LoggerMessage(305, LogLevel.Information, "manager reachable again: resyncing {Count} service ports")]
    public static partial void Resync(ILogger logger, int count);

    [LoggerMessage(306, LogLevel.Error, "service port {Key}: the manager rejected {Operation} ({Error}); not retried until the service changes")]
    public static partial void Rejected(ILogger logger, string key, string operation, string error);

    [LoggerMessage(307, LogLevel.Debug, "service {Service}: {Count} service ports")]
    public static partial void Translated(ILogger logger, string service, int count);
}
