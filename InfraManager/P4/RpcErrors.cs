using Grpc.Core;

namespace InfraManager.P4;

internal static class RpcErrors
{
    /// <summary>
    /// "Code: detail", with the client-side cause when there is one: grpc-dotnet says only "Error
    /// connecting to subchannel." and keeps "Connection refused" in the debug exception.
    /// </summary>
    public static string Describe(RpcException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var cause = exception.Status.DebugException;
        while (cause?.InnerException is not null)
        {
            cause = cause.InnerException;
        }

        return cause is null || exception.Status.Detail.Contains(cause.Message, StringComparison.Ordinal)
            ? $"{exception.StatusCode}: {exception.Status.Detail}"
            : $"{exception.StatusCode}: {exception.Status.Detail} ({cause.Message})";
    }
}
