namespace InfraAgent.Services;

internal static partial class ServicesLog
{
    [LoggerMessage(300, LogLevel.Information, "services: caches synced ({Services} services, {Count} {Source})")]
    public static partial void Synced(ILogger logger, int services, int count, string source);

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

    [LoggerMessage(308, LogLevel.Information, "services: {Count} service ports recorded by an earlier run ({Path}); each is sent again, or deleted when no Service wants it")]
    public static partial void Recorded(ILogger logger, int count, string path);

    [LoggerMessage(309, LogLevel.Warning, "services: {Path}: line '{Line}' is not a service port (ip:port/TCP|UDP); skipped")]
    public static partial void RecordLineSkipped(ILogger logger, string path, string line);

    [LoggerMessage(310, LogLevel.Error, "services: cannot write {Path} ({Error}); service ports are programmed, but one deleted while the agent is down would stay on the manager")]
    public static partial void RecordNotSaved(ILogger logger, string path, string error);

    [LoggerMessage(311, LogLevel.Warning, "services: the API serves no discovery.k8s.io/v1 EndpointSlices (Kubernetes before 1.21); watching core/v1 Endpoints instead")]
    public static partial void NoEndpointSlices(ILogger logger);

    [LoggerMessage(312, LogLevel.Warning, "services: cannot ask the API for EndpointSlices ({Error}); again in {Delay}")]
    public static partial void ProbeFailed(ILogger logger, string error, TimeSpan delay);
}
