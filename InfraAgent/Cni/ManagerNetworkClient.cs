using System.Globalization;
using Grpc.Core;
using InfraAgent.Cni.PodInterfaces;
using Packets;
using Proto.Cni;
using Proto.Infra;

namespace InfraAgent.Cni;

/// <summary>What the manager said: done, or why not (its error_message, or the call's failure).</summary>
/// <param name="Delivered">False when the call itself failed (unavailable, deadline): the manager may or may not have acted.</param>
internal readonly record struct ManagerOutcome(bool Succeeded, string Error, bool Delivered)
{
    public static ManagerOutcome Ok => new(true, string.Empty, true);
}

/// <summary>
/// The CNI side of infra.InfraAgent: CreateNetwork, DeleteNetwork and SetupHostInterface over the
/// agent's one manager channel. Never throws for what the manager answers or for its absence: every
/// outcome is a <see cref="ManagerOutcome"/>.
/// </summary>
internal sealed class ManagerNetworkClient
{
    // Calico gives an Add 5 s; a failed create and its undo must both fit. WaitForReady: a channel in
    // reconnect backoff (the manager restarted) waits for it instead of failing at once.
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(2);

    // At start nothing waits on us: give a manager that is still starting time to answer.
    private static readonly TimeSpan SetupTimeout = TimeSpan.FromSeconds(30);

    private readonly Proto.Infra.InfraAgent.InfraAgentClient _client;

    public ManagerNetworkClient(Proto.Infra.InfraAgent.InfraAgentClient client)
    {
        _client = client;
    }

    public Task<ManagerOutcome> CreateNetworkAsync(PodAddRequest pod, TapInterface tap, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var add = new AddRequest
        {
            InterfaceName = pod.Key.InterfaceName,
            Netns = pod.Key.NetnsPath,
            // As the Go agent: the manager is told the TAP, which it looks up over gNMI.
            DesiredHostInterfaceName = tap.Name,
            Settings = new ContainerSettings { Mtu = pod.Mtu },
        };
        for (var i = 0; i < pod.Addresses.Count; i++)
        {
            add.ContainerIps.Add(new IPConfig { Address = pod.Addresses[i].ToString(), Gateway = pod.Gateways[i] });
        }

        add.ContainerRoutes.AddRange(pod.Routes.Select(r => r.ToString()));
        var request = new CreateNetworkRequest { AddRequest = add, HostIfName = tap.Name, MacAddr = Mac(tap.Mac) };
        return CallAsync(async deadline =>
        {
            var reply = await _client.CreateNetworkAsync(request, new CallOptions(deadline: deadline, cancellationToken: cancellationToken).WithWaitForReady());
            return (reply.Successful, reply.ErrorMessage);
        });
    }

    public Task<ManagerOutcome> DeleteNetworkAsync(PodKey key, TapInterface tap, IPv4Address address, CancellationToken cancellationToken)
    {
        var request = new DeleteNetworkRequest
        {
            DelRequest = new DelRequest { InterfaceName = key.InterfaceName, Netns = key.NetnsPath },
            HostIfName = tap.Name,
            MacAddr = Mac(tap.Mac),
            Ipv4Addr = address.ToString() + "/32",
        };
        return CallAsync(async deadline =>
        {
            var reply = await _client.DeleteNetworkAsync(request, new CallOptions(deadline: deadline, cancellationToken: cancellationToken).WithWaitForReady());
            return (reply.Successful, reply.ErrorMessage);
        });
    }

    public Task<ManagerOutcome> SetupHostInterfaceAsync(TapInterface tap, CancellationToken cancellationToken)
    {
        var request = new SetupHostInterfaceRequest
        {
            IfName = tap.Name,
            Ipv4Addr = TapPodInterface.HostInterfaceAddress.ToString(),
            MacAddr = Mac(tap.Mac),
        };
        return CallAsync(async deadline =>
        {
            var reply = await _client.SetupHostInterfaceAsync(request, new CallOptions(deadline: deadline, cancellationToken: cancellationToken).WithWaitForReady());
            return (reply.Successful, reply.ErrorMessage);
        }, SetupTimeout);
    }

    private static string Mac(MacAddress mac) => mac.ToString().ToLower(CultureInfo.InvariantCulture);

    private static async Task<ManagerOutcome> CallAsync(Func<DateTime, Task<(bool Successful, string Error)>> call, TimeSpan? timeout = null)
    {
        try
        {
            var (successful, error) = await call(DateTime.UtcNow + (timeout ?? CallTimeout));
            return successful ? ManagerOutcome.Ok : new ManagerOutcome(false, error.Length > 0 ? error : "the manager refused without a reason", true);
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.InvalidArgument or StatusCode.FailedPrecondition or StatusCode.AlreadyExists or StatusCode.NotFound)
        {
            // A definite answer: nothing was applied.
            return new ManagerOutcome(false, $"manager: {e.StatusCode}: {e.Status.Detail}", true);
        }
        catch (RpcException e)
        {
            return new ManagerOutcome(false, $"manager: {e.StatusCode}: {e.Status.Detail}", false);
        }
    }
}
