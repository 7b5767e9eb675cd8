using System.Diagnostics;
using Grpc.Core;
using Proto.Cni;

namespace InfraAgent.Cni;

/// <summary>
/// cni.CniDataplane, as Calico's CNI plugin (dataplane_options type grpc) calls it.
/// <para>
/// Error contract: a request that cannot be valid (missing or malformed interface_name, netns,
/// container_ips[i].address, container_routes[i], settings.mtu) is refused with
/// <c>RpcException(InvalidArgument, "&lt;field&gt;: &lt;why&gt;")</c> and changes nothing. Every dataplane
/// failure (no free TAP, a netlink error, the manager refusing or unreachable) is status OK with
/// <c>successful = false</c> and <c>error_message</c>, after the Add was undone entirely. Del is
/// idempotent: an unknown pod, or one already deleted, succeeds.
/// </para>
/// </summary>
internal sealed class CniDataplaneService : CniDataplane.CniDataplaneBase
{
    private readonly CniPodNetwork _network;
    private readonly CniMetrics _metrics;

    public CniDataplaneService(CniPodNetwork network, CniMetrics metrics)
    {
        _network = network;
        _metrics = metrics;
    }

    public override async Task<AddReply> Add(AddRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var started = Stopwatch.GetTimestamp();
        var result = "invalid";
        try
        {
            var pod = CniRequestTranslator.Add(request);
            var outcome = await _network.AddAsync(pod, context.CancellationToken);
            result = outcome.Succeeded ? "ok" : "failed";
            return outcome.Succeeded
                ? new AddReply { Successful = true, HostInterfaceName = pod.DesiredHostInterfaceName, ContainerMac = outcome.Mac.ToString() }
                : new AddReply { Successful = false, ErrorMessage = outcome.Error };
        }
        finally
        {
            _metrics.Observe("Add", result, Stopwatch.GetElapsedTime(started));
        }
    }

    public override async Task<DelReply> Del(DelRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var started = Stopwatch.GetTimestamp();
        var result = "invalid";
        try
        {
            var key = CniRequestTranslator.Del(request);
            var outcome = await _network.DeleteAsync(key, context.CancellationToken);
            result = outcome.Succeeded ? "ok" : "failed";
            return new DelReply { Successful = outcome.Succeeded, ErrorMessage = outcome.Error };
        }
        finally
        {
            _metrics.Observe("Del", result, Stopwatch.GetElapsedTime(started));
        }
    }
}
