using System.Net.NetworkInformation;
using System.Net.Sockets;
using Packets;

namespace ArpProxy.Links;

/// <summary>
/// Reads interfaces through getifaddrs (System.Net.NetworkInformation), which sees the namespace the
/// process runs in. It allocates; the proxy calls it while waiting and about once a second, never per packet.
/// </summary>
internal sealed class SystemLinkLookup : ILinkLookup
{
    public LinkStatus Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            if (string.Equals(nic.Name, name, StringComparison.Ordinal))
            {
                return Describe(nic);
            }
        }

        return LinkStatus.Missing(name);
    }

    private static LinkStatus Describe(NetworkInterface nic)
    {
        var properties = nic.GetIPProperties();
        var index = properties.GetIPv4Properties().Index;
        var hardware = nic.GetPhysicalAddress().GetAddressBytes();
        var mac = hardware.Length == MacAddress.Length ? MacAddress.Read(hardware) : MacAddress.Zero;

        // operstate: "up", or "unknown" for drivers that do not track it (TUN/TAP with a reader).
        if (nic.OperationalStatus is not (OperationalStatus.Up or OperationalStatus.Unknown))
        {
            return new LinkStatus(LinkState.Down, nic.Name, index, mac, default);
        }

        foreach (var unicast in properties.UnicastAddresses)
        {
            if (unicast.Address.AddressFamily == AddressFamily.InterNetwork)
            {
                return new LinkStatus(LinkState.Ready, nic.Name, index, mac, IPv4Address.FromIPAddress(unicast.Address));
            }
        }

        return new LinkStatus(LinkState.NoIPv4Address, nic.Name, index, mac, default);
    }
}
