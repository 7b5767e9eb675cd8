using System.Net;
using DaemonHost.Configuration;
using Microsoft.Extensions.Options;
using Netlink;

namespace InfraAgent;

internal sealed class AgentOptionsValidator : IValidateOptions<AgentOptions>
{
    public ValidateOptionsResult Validate(string? name, AgentOptions options)
    {
        var failures = new List<string>();
        if (!string.Equals(options.InterfaceType, "tap", StringComparison.OrdinalIgnoreCase))
        {
            // sriov, ipvlan and cdq belong to the ES2K/IPU targets; the original's ipvlan never worked end to end.
            failures.Add($"interfaceType: '{options.InterfaceType}' is not supported; this agent drives P4-DPDK TAP ports (tap)");
        }

        if (!string.Equals(options.TapAttach, TapAttachModes.Move, StringComparison.OrdinalIgnoreCase) && !string.Equals(options.TapAttach, TapAttachModes.Veth, StringComparison.OrdinalIgnoreCase))
        {
            failures.Add($"tapAttach: '{options.TapAttach}' is not one of {TapAttachModes.Move}, {TapAttachModes.Veth}");
        }

        if (options.HostIfaceMTU is < 576 or > 9000)
        {
            failures.Add($"hostIfaceMTU: {options.HostIfaceMTU} is outside 576..9000");
        }

        if (options.ManagerPort is < 1 or > 65535)
        {
            failures.Add($"managerPort: {options.ManagerPort} is outside 1..65535");
        }

        if (string.IsNullOrWhiteSpace(options.TapPrefix))
        {
            failures.Add("tapPrefix: must not be empty");
        }

        if (options.NodeIp.Length > 0 && !Packets.IPv4Address.TryParse(options.NodeIp, out _))
        {
            failures.Add($"nodeIp: '{options.NodeIp}' is not an IPv4 address");
        }

        foreach (var (key, value) in new[] { ("clusterCidr", options.ClusterCidr), ("podCidr", options.PodCidr) })
        {
            if (value.Length > 0 && !IPv4Prefix.TryParse(value, out _))
            {
                failures.Add($"{key}: '{value}' is not an IPv4 CIDR like 10.244.0.0/16");
            }
        }

        if (string.IsNullOrWhiteSpace(options.CacheDir))
        {
            failures.Add("cacheDir: must not be empty");
        }

        if (string.IsNullOrWhiteSpace(options.FelixSocket) || !Path.IsPathFullyQualified(options.FelixSocket))
        {
            failures.Add($"felixSocket: '{options.FelixSocket}' is not an absolute path");
        }
        else if (System.Text.Encoding.UTF8.GetByteCount(options.FelixSocket) > 107) // sun_path: 107 bytes and a NUL
        {
            failures.Add($"felixSocket: '{options.FelixSocket}' is longer than a unix socket path may be (107 bytes)");
        }

        try
        {
            // The Go agent listened on all interfaces (reference-behaviour.md 11.3 #17): only loopback here.
            if (!IPAddress.IsLoopback(HostPort.Parse(options.HealthAddr, "healthAddr").ListenAddress))
            {
                failures.Add($"healthAddr: '{options.HealthAddr}' is not a loopback address");
            }
        }
        catch (Exception e) when (e is DaemonConfigurationException or FormatException)
        {
            failures.Add(e.Message);
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
