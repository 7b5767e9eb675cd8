using System.Globalization;

namespace PodCtl;

/// <summary>podctl's command line: <c>add POD ADDRESS/LEN [flags]</c> or <c>del POD [flags]</c>.</summary>
internal sealed record PodCommandLine(string Command, string Pod)
{
    public const string Usage = """
        usage: podctl add POD ADDRESS/LEN [--gateway IP] [--namespace NS] [--node NAME] [--label KEY=VALUE]...
                          [--netns NAME] [--ifname eth0] [--mtu 1500] [--cni 127.0.0.1:50001]
               podctl del POD [--netns NAME] [--ifname eth0] [--cni 127.0.0.1:50001]
          add  makes network namespace NAME (default: POD) as the container runtime would, then sends the
               cni.AddRequest Calico's CNI plugin sends to its gRPC dataplane; the namespace is removed if
               the Add fails. ADDRESS/LEN is what IPAM gave the pod (host-local: 10.244.0.6/24); the
               gateway defaults to the first address of that range.
          del  sends Calico's cni.DelRequest, then removes the namespace.
        Prints one line saying what the agent did; exits 1 with its error otherwise.
        """;

    public string Address { get; init; } = string.Empty;

    public string? Gateway { get; init; }

    public string Namespace { get; init; } = "default";

    public string Node { get; init; } = Environment.GetEnvironmentVariable("NODE_NAME") is { Length: > 0 } node ? node : Environment.MachineName;

    public string? Netns { get; init; }

    public string InterfaceName { get; init; } = "eth0";

    public int Mtu { get; init; } = 1500;

    public string Cni { get; init; } = "127.0.0.1:50001";

    public Dictionary<string, string> Labels { get; } = new(StringComparer.Ordinal);

    public string NetnsName => Netns ?? Pod;

    public string NetnsPath => "/var/run/netns/" + NetnsName;

    /// <summary>The command line, or null with <paramref name="error"/> saying what is wrong.</summary>
    public static PodCommandLine? Parse(IReadOnlyList<string> args, out string error)
    {
        ArgumentNullException.ThrowIfNull(args);
        error = string.Empty;
        if (args.Count < 2 || args[0] is not ("add" or "del"))
        {
            error = "podctl: say add or del, and the pod's name";
            return null;
        }

        var positional = new List<string>();
        var flags = new List<(string Name, string Value)>();
        for (var i = 1; i < args.Count; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                positional.Add(args[i]);
                continue;
            }

            if (i + 1 >= args.Count)
            {
                error = $"podctl: {args[i]} needs a value";
                return null;
            }

            flags.Add((args[i][2..], args[++i]));
        }

        var expected = args[0] == "add" ? 2 : 1;
        if (positional.Count != expected)
        {
            error = args[0] == "add" ? "podctl: add takes POD and ADDRESS/LEN" : "podctl: del takes POD";
            return null;
        }

        var line = new PodCommandLine(args[0], positional[0]) { Address = expected == 2 ? positional[1] : string.Empty };
        foreach (var (name, value) in flags)
        {
            switch (name)
            {
                case "gateway": line = line with { Gateway = value }; break;
                case "namespace": line = line with { Namespace = value }; break;
                case "node": line = line with { Node = value }; break;
                case "netns": line = line with { Netns = value }; break;
                case "ifname": line = line with { InterfaceName = value }; break;
                case "cni": line = line with { Cni = value }; break;
                case "mtu" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var mtu) && mtu is >= 576 and <= 9000:
                    line = line with { Mtu = mtu };
                    break;
                case "label" when value.Split('=', 2) is [{ Length: > 0 } key, var labelValue]:
                    line.Labels[key] = labelValue;
                    break;
                default:
                    error = $"podctl: --{name} {value}: unknown flag or bad value";
                    return null;
            }
        }

        if (line.NetnsName.Contains('/', StringComparison.Ordinal) || line.NetnsName is "." or "..")
        {
            error = $"podctl: '{line.NetnsName}' is not a network namespace name";
            return null;
        }

        if (line.Command == "add")
        {
            if (line.Address.Split('/') is not [var ip, var length]
                || !System.Net.IPAddress.TryParse(ip, out var address) || address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork
                || !int.TryParse(length, NumberStyles.None, CultureInfo.InvariantCulture, out var bits) || bits is < 1 or > 32)
            {
                error = $"podctl: '{line.Address}' is not an IPv4 ADDRESS/LEN";
                return null;
            }

            line = line with { Gateway = line.Gateway ?? FirstAddress(line.Address) };
        }

        return line;
    }

    public CniPod ToPod() => new(Pod, Namespace, NetnsPath, Address, Gateway ?? string.Empty, Node)
    {
        InterfaceName = InterfaceName,
        Mtu = Mtu,
        Labels = Labels,
    };

    /// <summary>The range's first host address, host-local IPAM's default gateway: 10.244.0.6/24 → 10.244.0.1.</summary>
    private static string FirstAddress(string cidr)
    {
        var parts = cidr.Split('/');
        var length = int.Parse(parts[1], CultureInfo.InvariantCulture);
        var bytes = System.Net.IPAddress.Parse(parts[0]).GetAddressBytes();
        var value = ((uint)bytes[0] << 24) | ((uint)bytes[1] << 16) | ((uint)bytes[2] << 8) | bytes[3];
        var mask = length == 0 ? 0u : uint.MaxValue << (32 - length);
        var first = (value & mask) + 1;
        return new System.Net.IPAddress([(byte)(first >> 24), (byte)(first >> 16), (byte)(first >> 8), (byte)first]).ToString();
    }
}
