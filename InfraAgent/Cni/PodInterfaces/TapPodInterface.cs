using Netlink;
using Packets;
using Packets.Tap;

namespace InfraAgent.Cni.PodInterfaces;

/// <summary>
/// The kernel side of the TAP interface type (reference-behaviour.md 6.4), over rtnetlink: the host
/// interface's address and routes, a TAP into a pod as its eth0 and back. Synchronous: each call is a
/// few netlink round trips.
/// </summary>
internal sealed class TapPodInterface : IDisposable
{
    /// <summary>The pods' gateway, answered by the ARP proxy on the first TAP.</summary>
    public static readonly IPv4Address Gateway = IPv4Address.Parse("169.254.1.1");

    /// <summary>HostInterfaceAddr of the Go agent.</summary>
    public static readonly IPv4Prefix HostInterfaceAddress = IPv4Prefix.Parse("200.1.1.2/32");

    private readonly RouteNetlinkClient _host = RouteNetlinkClient.Open();

    /// <summary>The TAPs whose name starts with <paramref name="prefix"/> in the host namespace, in kernel order.</summary>
    public IReadOnlyList<TapInterface> Discover(string prefix)
    {
        var taps = new List<TapInterface>();
        foreach (var link in _host.GetLinks())
        {
            if (link.Name.StartsWith(prefix, StringComparison.Ordinal) && link.HardwareAddress is { } mac)
            {
                taps.Add(new TapInterface(link.Name, mac));
            }
        }

        return taps;
    }

    /// <summary>The TAP of that name in the host namespace, or null.</summary>
    public TapInterface? FindInHost(string name) =>
        _host.FindLink(name) is { HardwareAddress: { } mac } link ? new TapInterface(link.Name, mac) : null;

    public int? MtuOf(string name) => _host.FindLink(name)?.Mtu;

    /// <summary>Addresses the host interface (200.1.1.2/32), sets its MTU, brings it up and routes the pod CIDRs through the gateway.</summary>
    public void ConfigureHostInterface(string name, int mtu, PodNetworkCidrs cidrs)
    {
        ArgumentNullException.ThrowIfNull(cidrs);
        foreach (var address in _host.GetAddresses(name))
        {
            if (address.Prefix != HostInterfaceAddress)
            {
                _host.DeleteAddress(name, address.Prefix);
            }
        }

        if (_host.GetAddresses(name).Count == 0)
        {
            _host.AddAddress(name, HostInterfaceAddress);
        }

        _host.SetMtu(name, mtu);
        _host.SetLinkUp(name);
        _host.ReplaceRoute(new IPv4Route(IPv4Prefix.Host(Gateway), name, Scope: RouteScope.Link));
        foreach (var cidr in new[] { cidrs.Cluster, cidrs.Node })
        {
            if (cidr is { } destination)
            {
                // As the Go agent: a route to the same destination that differs is replaced.
                _host.ReplaceRoute(new IPv4Route(new IPv4Prefix(destination.Network, destination.Length), name, Gateway));
            }
        }
    }

    /// <summary>
    /// Moves <paramref name="tap"/> into the pod as <paramref name="request"/>'s interface, with the
    /// address as /32, the gateway on-link and the routes through it. On failure it has been moved back.
    /// </summary>
    public void MoveIntoPod(TapInterface tap, PodAddRequest request, int defaultMtu)
    {
        ArgumentNullException.ThrowIfNull(request);
        var key = request.Key;
        using var pod = NetworkNamespaceHandle.Open(key.NetnsPath);
        _host.SetLinkDown(tap.Name);
        _host.SetMtu(tap.Name, request.Mtu > 0 ? request.Mtu : defaultMtu);
        _host.MoveToNamespace(tap.Name, pod);
        try
        {
            using var inPod = RouteNetlinkClient.OpenInNamespace(pod);
            inPod.RenameLink(tap.Name, key.InterfaceName);
            // The port's name goes along as an alternative name: a restarted SoftTarget finds the TAP by it and attaches again.
            inPod.AddAlternativeName(key.InterfaceName, tap.Name);
            inPod.SetLinkUp(key.InterfaceName);
            foreach (var address in request.Addresses)
            {
                inPod.AddAddress(key.InterfaceName, IPv4Prefix.Host(address.Address));
            }

            inPod.AddRoute(new IPv4Route(IPv4Prefix.Host(Gateway), key.InterfaceName, Scope: RouteScope.Link));
            foreach (var route in request.Routes)
            {
                inPod.ReplaceRoute(new IPv4Route(route, key.InterfaceName, Gateway));
            }
        }
        catch (IOException)
        {
            ReturnToHost(tap, key.NetnsPath, key.InterfaceName);
            throw;
        }
    }

    /// <summary>
    /// Brings a pod's TAP back to the host namespace under its own name, up. Returns false when the
    /// pod's namespace is gone (the kernel then destroys a TAP inside it).
    /// </summary>
    public bool ReturnToHost(TapInterface tap, string netnsPath, string podInterfaceName)
    {
        if (_host.FindLink(tap.Name) is not null)
        {
            _host.SetLinkUp(tap.Name); // Never moved, or already back.
            return true;
        }

        NetworkNamespaceHandle pod;
        try
        {
            pod = NetworkNamespaceHandle.Open(netnsPath);
        }
        catch (NetworkNamespaceNotFoundException)
        {
            return false;
        }

        using (pod)
        using (var host = NetworkNamespaceHandle.OpenProcessNamespace())
        using (var inPod = RouteNetlinkClient.OpenInNamespace(pod))
        {
            // By the pod's name for it, or by the port's (its own name if the move stopped half-way, else its alternative name).
            var name = inPod.FindLink(podInterfaceName) is { } link && link.HardwareAddress == tap.Mac ? link.Name
                : inPod.FindLink(tap.Name) is { } stillNamed && stillNamed.HardwareAddress == tap.Mac ? stillNamed.Name
                : null;
            if (name is null)
            {
                return false;
            }

            inPod.SetLinkDown(name);
            if (name != tap.Name)
            {
                // Its alternative name would take the name it goes back under.
                inPod.DeleteAlternativeName(name, tap.Name);
                inPod.RenameLink(name, tap.Name);
            }

            inPod.MoveToNamespace(tap.Name, host);
        }

        _host.SetLinkUp(tap.Name);
        return true;
    }

    /// <summary>The first IPv4 address of the pod's interface, or null when the namespace, the link or an address is missing.</summary>
    public static IPv4Address? ReadPodAddress(string netnsPath, string podInterfaceName)
    {
        try
        {
            using var inPod = RouteNetlinkClient.OpenInNamespace(netnsPath);
            if (inPod.FindLink(podInterfaceName) is null)
            {
                return null;
            }

            var addresses = inPod.GetAddresses(podInterfaceName);
            return addresses.Count > 0 ? addresses[0].Prefix.Address : null;
        }
        catch (NetworkNamespaceNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Makes a TAP the kernel destroyed with its pod's namespace again, persistent, up; returns it with its new MAC.</summary>
    public TapInterface Recreate(string name)
    {
        using (TapDevice.Open(name, persistent: true))
        {
        }

        _host.SetLinkUp(name);
        return FindInHost(name) ?? throw new NetlinkException("RTM_GETLINK dev " + name, ErrorNumbers.ENODEV);
    }

    public static bool NamespaceExists(string netnsPath)
    {
        try
        {
            using var handle = NetworkNamespaceHandle.Open(netnsPath);
            return true;
        }
        catch (NetworkNamespaceNotFoundException)
        {
            return false;
        }
    }

    public void Dispose() => _host.Dispose();
}
