using TestSupport.Network;

namespace SoftTargetKit;

/// <summary>A pod as the agent sets it up: a namespace with a SoftTarget TAP, a /32 address, routes via 169.254.1.1.</summary>
public sealed class Pod : IAsyncDisposable
{
    public const string GatewayMac = "02:00:00:00:00:01";

    private Pod(NetworkNamespace ns, string tap, string ip, uint port, ulong mac)
    {
        Namespace = ns;
        Tap = tap;
        Ip = ip;
        Port = port;
        Mac = mac;
    }

    public NetworkNamespace Namespace { get; }

    public string Tap { get; }

    public string Ip { get; }

    public uint Port { get; }

    public ulong Mac { get; }

    public static async Task<Pod> CreateAsync(SoftTargetProcess target, string ip)
    {
        var tap = HostCommands.UniqueName("st");
        await GnmiPorts.CreateTapAsync(target.Gnmi, tap);
        var port = await GnmiPorts.PortIdAsync(target.Gnmi, tap);
        var ns = await NetworkNamespace.CreateAsync();
        try
        {
            return new Pod(ns, tap, ip, port, await AdoptAsync(ns, tap, ip));
        }
        catch
        {
            await ns.DisposeAsync();
            await HostCommands.DeleteLinkIfPresentAsync(tap);
            throw;
        }
    }

    /// <summary>Moves <paramref name="tap"/> into <paramref name="ns"/> as a pod's interface with <paramref name="ip"/>/32 and its gateway routes; returns its MAC.</summary>
    public static async Task<ulong> AdoptAsync(NetworkNamespace ns, string tap, string ip)
    {
        ArgumentNullException.ThrowIfNull(ns);
        await ns.AdoptAsync(tap, $"{ip}/32");
        await ns.RunAsync("ip", "route", "add", "169.254.1.1", "dev", tap, "scope", "link");
        await ns.RunAsync("ip", "route", "add", "default", "via", "169.254.1.1", "dev", tap);
        // The ARP proxy's answer, fixed: these tests are about the pipeline.
        await ns.RunAsync("ip", "neigh", "replace", "169.254.1.1", "lladdr", GatewayMac, "dev", tap, "nud", "permanent");
        var mac = (await ns.RunAsync("cat", $"/sys/class/net/{tap}/address")).Trim();
        return Convert.ToUInt64(mac.Replace(":", string.Empty, StringComparison.Ordinal), 16);
    }

    public async ValueTask DisposeAsync()
    {
        await Namespace.DisposeAsync();
        await HostCommands.DeleteLinkIfPresentAsync(Tap);
    }
}
