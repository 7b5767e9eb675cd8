using System.Diagnostics;
using Grpc.Core;
using Grpc.Core.Interceptors;
using InfraManager.Monitoring;
using Proto.Cni;
using Proto.Infra;

namespace InfraManager.Api;

/// <summary>
/// Every infra.InfraAgent call: counted and timed per method and result, a refused one logged with
/// its reason, and an unexpected exception logged and answered INTERNAL rather than with its text.
/// </summary>
internal sealed class RequestInterceptor : Interceptor
{
    private readonly ManagerMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public RequestInterceptor(ManagerMetrics metrics, TimeProvider time, ILogger<RequestInterceptor> logger)
    {
        _metrics = metrics;
        _time = time;
        _logger = logger;
    }

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(continuation);
        var method = context.Method[(context.Method.LastIndexOf('/') + 1)..];
        var started = _time.GetTimestamp();
        try
        {
            var response = await continuation(request, context);
            var ok = response switch
            {
                Reply reply => reply.Successful,
                AddReply add => add.Successful,
                DelReply del => del.Successful,
                _ => true,
            };
            _metrics.Request(method, ok ? "ok" : "failed", _time.GetElapsedTime(started));
            if (!ok)
            {
                ApiLog.RequestFailed(_logger, method, Describe(response));
            }

            return response;
        }
        catch (RpcException e)
        {
            _metrics.Request(method, e.StatusCode == StatusCode.InvalidArgument ? "invalid" : "failed", _time.GetElapsedTime(started));
            ApiLog.RequestRefused(_logger, method, e.StatusCode, e.Status.Detail);
            throw;
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            _metrics.Request(method, "cancelled", _time.GetElapsedTime(started));
            throw;
        }
        catch (Exception e)
        {
            // The one place an unexpected failure becomes a status: logged whole here, a short message on the wire.
            _metrics.Request(method, "failed", _time.GetElapsedTime(started));
            ApiLog.RequestCrashed(_logger, method, e);
            throw new RpcException(new Status(StatusCode.Internal, $"{method}: internal error ({e.GetType().Name}); see /var/log/inframanager.log"));
        }
    }

    private static string Describe(object? response) => response switch
    {
        Reply reply => reply.ErrorMessage,
        AddReply add => add.ErrorMessage,
        DelReply del => del.ErrorMessage,
        _ => string.Empty,
    };
}
