using System.Globalization;
using System.Text.RegularExpressions;
using Packets;
using Packets.Sockets;
using TestSupport;
using TestSupport.Network;
using Xunit;

namespace ArpProxy.Tests.Namespaces;

/// <summary>
/// Namespace P holds the proxy's end of a veth (169.254.1.1/16, as P4TAP_0 in pod0); namespace C holds
/// the other end (169.254.2.2/16 with a link-scope default route, as a pod). Deleting the namespaces
/// deletes the veth, so nothing is left in the root namespace even when a test fails.
/// </summary>
internal sealed partial class ProxyTopology : IAsyncDisposable
{
    public const string ProxyAddress = "169.254.1.1";
    public const string ClientAddress = "169.254.2.2";

    private readonly string _directory = Directory.CreateTempSubdirectory("k8sio-arpproxy-").FullName;

    private ProxyTopology(NetworkNamespace proxy, NetworkNamespace client)
    {
        Proxy = proxy;
        Client = client;
        var suffix = HostCommands.UniqueName(string.Empty);
        ProxyLink = "apx" + suffix;
        ClientLink = "apc" + suffix;
    }

    public NetworkNamespace Proxy { get; }

    public NetworkNamespace Client { get; }

    public string ProxyLink { get; }

    public string ClientLink { get; }

    public string LogFile => Path.Combine(_directory, "arp-proxy.log");

    public static string ProxyDll => Path.Combine(AppContext.BaseDirectory, "arp-proxy.dll");

    /// <summary>The namespaces, and the veth unless <paramref name="withLink"/> is false.</summary>
    public static async Task<ProxyTopology> CreateAsync(bool withLink = true)
    {
        var proxy = await NetworkNamespace.CreateAsync();
        NetworkNamespace? client = null;
        try
        {
            client = await NetworkNamespace.CreateAsync();
            var topology = new ProxyTopology(proxy, client);

            // P's kernel would answer for 169.254.1.1 as well; arp_ignore 8 leaves every answer to the proxy.
            await proxy.RunAsync("sysctl", "-qw", "net.ipv4.conf.all.arp_ignore=8");
            if (withLink)
            {
                await topology.CreateLinkAsync();
            }

            return topology;
        }
        catch
        {
            await proxy.DisposeAsync();
            if (client is not null)
            {
                await client.DisposeAsync();
            }

            throw;
        }
    }

    /// <summary>Creates the veth straight inside the two namespaces (again, after <see cref="DeleteLinkAsync"/>), addressed and up.</summary>
    public async Task CreateLinkAsync()
    {
        await HostCommands.RunAsync("ip", "link", "add", ProxyLink, "netns", Proxy.Name, "type", "veth", "peer", "name", ClientLink, "netns", Client.Name);
        await Client.RunAsync("ip", "addr", "add", ClientAddress + "/16", "dev", ClientLink);
        await Client.RunAsync("ip", "link", "set", "dev", ClientLink, "up");
        await Client.RunAsync("ip", "route", "add", "default", "dev", ClientLink, "scope", "link");
        await Proxy.RunAsync("ip", "addr", "add", ProxyAddress + "/16", "dev", ProxyLink);
        await Proxy.RunAsync("ip", "link", "set", "dev", ProxyLink, "up");
    }

    /// <summary>Deletes the veth (both ends) from P.</summary>
    public Task DeleteLinkAsync() => Proxy.RunAsync("ip", "link", "del", "dev", ProxyLink);

    public async Task<MacAddress> ProxyMacAsync() =>
        MacAddress.Parse((await Proxy.RunAsync("cat", $"/sys/class/net/{ProxyLink}/address")).Trim());

    public async Task<MacAddress> ClientMacAsync() =>
        MacAddress.Parse((await Client.RunAsync("cat", $"/sys/class/net/{ClientLink}/address")).Trim());

    /// <summary>The real arp-proxy in P, serving <see cref="ProxyLink"/>, logging at Debug to <see cref="LogFile"/>.</summary>
    public DaemonProcess StartProxy(IDictionary<string, string?>? environment = null) =>
        DaemonProcess.StartProgram(
            "ip",
            ["netns", "exec", Proxy.Name, ChildProcess.DotnetHost, ProxyDll, "--log-file", LogFile, "--log-level", "Debug"],
            environment ?? new Dictionary<string, string?> { ["ARP_PROXY_IF"] = ProxyLink });

    /// <summary>iputils arping from C; the MACs of the replies it got.</summary>
    public async Task<IReadOnlyList<MacAddress>> ArpingAsync(string target)
    {
        var result = await Client.ExecAsync(TimeSpan.FromSeconds(15), "arping", "-c", "2", "-w", "3", "-I", ClientLink, target);
        var macs = new List<MacAddress>();
        foreach (Match match in ReplyLine().Matches(result.StandardOutput))
        {
            Assert.Equal(target, match.Groups["ip"].Value);
            macs.Add(MacAddress.Parse(match.Groups["mac"].Value));
        }

        return macs;
    }

    /// <summary>A packet socket on C's end, receiving the ARP frames that reach C and sending whatever the test writes.</summary>
    public async Task<PacketSocket> OpenClientSocketAsync()
    {
        var index = int.Parse((await Client.RunAsync("cat", $"/sys/class/net/{ClientLink}/ifindex")).Trim(), CultureInfo.InvariantCulture);
        return NamespaceThread.Run(Client.Name, () => PacketSocket.Open(index, EtherTypes.Arp, SocketFilters.EtherType(EtherTypes.Arp)));
    }

    public async ValueTask DisposeAsync()
    {
        await Proxy.DisposeAsync();
        await Client.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    // "Unicast reply from 169.254.1.1 [1E:37:66:9D:52:08]  0.548ms"
    [GeneratedRegex(@"reply from (?<ip>[0-9.]+) \[(?<mac>[0-9A-Fa-f:]{17})\]")]
    private static partial Regex ReplyLine();
}
