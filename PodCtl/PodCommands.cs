using Grpc.Core;

namespace PodCtl;

/// <summary>add and del: the runtime's and Calico's part of CNI ADD and DEL, against the agent.</summary>
internal static class PodCommands
{
    public static async Task<int> AddAsync(PodCommandLine line, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (NetworkNamespaces.Exists(line.NetnsName))
        {
            await error.WriteLineAsync($"podctl: network namespace {line.NetnsName} exists already (podctl del {line.Pod} removes it)");
            return 1;
        }

        await NetworkNamespaces.CreateAsync(line.NetnsName, cancellationToken);
        string? failure;
        try
        {
            using var cni = new CniClient(line.Cni);
            var reply = await cni.AddAsync(CalicoRequests.Add(line.ToPod()), cancellationToken);
            if (reply.Successful)
            {
                await output.WriteLineAsync($"podctl: pod {line.Namespace}/{line.Pod}: {line.InterfaceName} {line.Address} in netns {line.NetnsName} (host interface {reply.HostInterfaceName}, MAC {reply.ContainerMac})");
                return 0;
            }

            failure = reply.ErrorMessage;
        }
        catch (RpcException e)
        {
            failure = $"{e.StatusCode}: {e.Status.Detail}";
        }

        // Kubelet tears the sandbox down when ADD fails.
        await NetworkNamespaces.DeleteAsync(line.NetnsName, CancellationToken.None);
        await error.WriteLineAsync($"podctl: add {line.Pod} ({line.Address}) via {line.Cni} failed: {failure}");
        return 1;
    }

    public static async Task<int> DelAsync(PodCommandLine line, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        string failure;
        try
        {
            using var cni = new CniClient(line.Cni);
            var reply = await cni.DelAsync(CalicoRequests.Del(line.NetnsPath, line.InterfaceName), cancellationToken);
            if (reply.Successful)
            {
                await NetworkNamespaces.DeleteAsync(line.NetnsName, cancellationToken);
                await output.WriteLineAsync($"podctl: pod {line.Pod} deleted; netns {line.NetnsName} removed");
                return 0;
            }

            failure = reply.ErrorMessage;
        }
        catch (RpcException e)
        {
            failure = $"{e.StatusCode}: {e.Status.Detail}";
        }

        // As kubelet: the sandbox stays until a DEL succeeds, so it can be retried.
        await error.WriteLineAsync($"podctl: del {line.Pod} via {line.Cni} failed: {failure}; netns {line.NetnsName} kept");
        return 1;
    }
}
