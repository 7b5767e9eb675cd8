using Netlink;
using Packets;
using Packets.Tap;

namespace InfraAgent.Cni.PodInterfaces;

/// <summary>
/// The kernel side of the TAP interface type (reference-behaviour.md 6.4), over rtnetlink: the host
/// interface's address and routes, a TAP into a pod as its eth0 and back. The start-up calls are
/// synchronous; the per-pod work runs in order on one <see cref="NetlinkWorker"/> thread.
/// </summary>
internal sealed class TapPodInterface : IDisposable
{
    /// <summary>The pods' gateway, answered by the ARP proxy on the first TAP.</summary>
    public static readonly IPv4Address Gateway = IPv4Address.Parse("169.254.1.1");

    /// <summary>HostInterfaceAddr of the Go agent.</summary>
    public static readonly IPv4Prefix HostInterfaceAddress = IPv4Prefix.Parse("200.1.1.2/32");

    private readonly RouteNetlinkClient _host = RouteNetlinkClient.Open();

    // Pod interfaces are moved, configured and returned on one thread (see NetlinkWorker for why).
    private readonly NetlinkWorker _worker = new("cni-netlink");

    // Veths of deleted pods waiting for RemoveQueuedVeths, and the device group it deletes them as (this process's own).
    private readonly Lock _removalLock = new();
    private readonly uint _removalGroup = 0x4B380000u | (uint)(Environment.ProcessId & 0xFFFF);
    private List<(string Tap, TaskCompletionSource Done)> _removalQueue = [];
    private bool _removing;

    /// <summary>
    /// The TAPs whose name starts with <paramref name="prefix"/> in the host namespace, by the number after
    /// the prefix (P4TAP_1 before P4TAP_2 before P4TAP_10), whatever order the target made them in: the first
    /// free one becomes the host interface, and k8s_dp sends unknown destinations to port 1 (reference-behaviour.md 1).
    /// </summary>
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

        return [.. taps.OrderBy(t => int.TryParse(t.Name.AsSpan(prefix.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number) ? number : int.MaxValue).ThenBy(t => t.Name, StringComparer.Ordinal)];
    }

    /// <summary>The TAP of that name in the host namespace, or null.</summary>
    public TapInterface? FindInHost(string name) =>
        _host.FindLink(name) is { HardwareAddress: { } mac } link ? new TapInterface(link.Name, mac) : null;

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
    /// <param name="parked">Where the TAP waits when it is a deleted pod's (moved from there; <see cref="ParkedTap.Left"/> runs here); null when it is home.</param>
    public Task MoveIntoPodAsync(TapInterface tap, PodAddRequest request, ParkedTap? parked)
    {
        ArgumentNullException.ThrowIfNull(request);
        return _worker.RunAsync(() =>
        {
            try
            {
                MoveIntoPod(tap, request, parked);
            }
            finally
            {
                parked?.Left();
            }
        });
    }

    /// <summary>
    /// As background work on the worker: claims a parked TAP and brings it home. Null when an Add took
    /// it first, else whether it is home (false: it was gone from that namespace).
    /// </summary>
    public Task<bool?> ReturnParkedAsync(Func<ParkedTap?> claim) =>
        _worker.RunAsync(
            () =>
            {
                if (claim() is not { } parked)
                {
                    return (bool?)null;
                }

                try
                {
                    return ReturnToHost(parked.Tap, parked.Namespace, parked.InterfaceName);
                }
                finally
                {
                    parked.Left();
                }
            },
            background: true);

    /// <summary>
    /// Brings a pod's TAP back to the host namespace under its own name, up. Returns false when the
    /// pod's namespace is gone (the kernel then destroys a TAP inside it).
    /// </summary>
    public Task<bool> ReturnToHostAsync(TapInterface tap, string netnsPath, string podInterfaceName) =>
        _worker.RunAsync(
            () =>
            {
                if (_host.FindLink(tap.Name) is not null)
                {
                    return ReturnToHost(tap, null, podInterfaceName);
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
                {
                    return ReturnToHost(tap, pod, podInterfaceName);
                }
            });

    /// <summary>The first IPv4 address of the pod's interface, or null when the link or an address is missing.</summary>
    public Task<IPv4Address?> ReadPodAddressAsync(NetworkNamespaceHandle pod, string podInterfaceName) =>
        _worker.RunAsync(() =>
        {
            using var inPod = _worker.OpenClientIn(pod);
            if (inPod.FindLink(podInterfaceName) is null)
            {
                return null;
            }

            var addresses = inPod.GetAddresses(podInterfaceName);
            return addresses.Count > 0 ? addresses[0].Prefix.Address : (IPv4Address?)null;
        });

    /// <summary>
    /// Whether the pod is wholly attached as <paramref name="request"/> asks: its interface is
    /// <paramref name="tap"/>'s (same MAC) with the pod's address and routes and, for a veth, the TAP and the
    /// veth redirect to each other. False for an attach the agent did not finish (it stopped half-way),
    /// which a repeated Add then does again.
    /// </summary>
    public Task<bool> IsInPlaceAsync(TapInterface tap, PodAddRequest request, bool veth)
    {
        ArgumentNullException.ThrowIfNull(request);
        var key = request.Key;
        return _worker.RunAsync(() =>
        {
            try
            {
                using var pod = NetworkNamespaceHandle.Open(key.NetnsPath);
                using var inPod = _worker.OpenClientIn(pod);
                if (inPod.FindLink(key.InterfaceName) is not { } link || link.HardwareAddress != tap.Mac)
                {
                    return false;
                }

                var addresses = inPod.GetAddresses(key.InterfaceName).Select(a => a.Prefix.Address).ToHashSet();
                var routes = inPod.GetRoutes();
                if (!request.Addresses.All(a => addresses.Contains(a.Address)) || !request.Routes.All(r => routes.Contains(new IPv4Route(r, key.InterfaceName, Gateway))))
                {
                    return false;
                }

                var hostEnd = VethNameFor(tap.Name);
                return !veth || (_host.IngressRedirectTarget(tap.Name) == hostEnd && _host.IngressRedirectTarget(hostEnd) == tap.Name);
            }
            catch (NetworkNamespaceNotFoundException)
            {
                return false;
            }
            catch (NetlinkException e) when (e.Errno == ErrorNumbers.ENODEV)
            {
                return false; // the veth's host end is gone
            }
        });
    }

    /// <summary>Makes a TAP the kernel destroyed with its pod's namespace again (see <see cref="Recreate"/>).</summary>
    public Task<TapInterface> RecreateAsync(string name) => _worker.RunAsync(() => Recreate(name));

    private void MoveIntoPod(TapInterface tap, PodAddRequest request, ParkedTap? parked)
    {
        var key = request.Key;
        using var pod = NetworkNamespaceHandle.Open(key.NetnsPath);

        // One request: the move takes the link down itself, and the kernel sets the MTU, the name and
        // the up flag in the pod's namespace after moving it (reference-behaviour.md 6.4 steps 2.2 to 2.5.2).
        try
        {
            // A failed rename leaves the TAP moved under its own name; ReturnToHost finds it either way.
            if (parked is null)
            {
                _host.MoveToNamespace(tap.Name, pod, key.InterfaceName, request.Mtu, up: true);
            }
            else
            {
                using var previous = _worker.OpenClientIn(parked.Namespace);
                var name = NameIn(previous, tap, parked.InterfaceName)
                    ?? throw new NetlinkException($"RTM_GETLINK {tap.Name} ({tap.Mac}) in {parked.Namespace.Path}", ErrorNumbers.ENODEV);
                previous.MoveToNamespace(name, pod, key.InterfaceName, request.Mtu, up: true);
            }

            using var inPod = _worker.OpenClientIn(pod);

            // The port's name goes along as an alternative name: a restarted SoftTarget finds the TAP by it and
            // attaches again. A parked TAP brought it from its previous pod.
            if (inPod.FindLink(tap.Name) is null)
            {
                inPod.AddAlternativeName(key.InterfaceName, tap.Name);
            }

            ConfigurePod(inPod, request);
        }
        catch (IOException)
        {
            if (!ReturnToHost(tap, pod, key.InterfaceName) && parked is not null)
            {
                ReturnToHost(tap, parked.Namespace, parked.InterfaceName); // the move from there failed
            }

            throw;
        }
    }

    /// <summary>The pod's addresses as /32, the gateway on-link and the routes through it, on its interface.</summary>
    private static void ConfigurePod(RouteNetlinkClient inPod, PodAddRequest request)
    {
        var name = request.Key.InterfaceName;
        foreach (var address in request.Addresses)
        {
            inPod.AddAddress(name, IPv4Prefix.Host(address.Address));
        }

        inPod.AddRoute(new IPv4Route(IPv4Prefix.Host(Gateway), name, Scope: RouteScope.Link));
        foreach (var route in request.Routes)
        {
            inPod.ReplaceRoute(new IPv4Route(route, name, Gateway));
        }
    }

    /// <summary>
    /// The veth mode (tapAttach: veth): the TAP stays on the host and the pod's interface is a veth made
    /// inside its namespace, with the TAP's MAC and the pod's MTU, its host end (<see cref="VethNameFor"/>)
    /// joined to the TAP by tc (every frame one receives leaves through the other). Nothing moves between
    /// namespaces, so nothing waits for an rcu_barrier() under the RTNL lock, and Adds need not queue on the
    /// worker: each runs on a thread and sockets of its own (the pool and the pod's lock keep them apart),
    /// and the kernel interleaves them. On failure all of it has been undone.
    /// </summary>
    /// <param name="clean">The TAP came from the pool (no veth or redirect of an earlier attach left); false when an attach is resumed.</param>
    public static Task AttachWithVethAsync(TapInterface tap, PodAddRequest request, bool clean)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Task.Factory.StartNew(() => AttachWithVeth(tap, request, clean), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>
    /// Undoes <see cref="AttachWithVethAsync"/>: no redirect on the TAP, no veth (its pod end goes with it);
    /// what is already gone is skipped. Deleting a link makes the kernel wait for a synchronize_net() under
    /// the RTNL lock and an rcu_barrier() after it (about 18 ms here), so removals are batched: one thread
    /// takes every veth queued so far, puts them in this agent's device group and deletes the group in one
    /// request (one wait for all), then the next batch. Completes when the veth is gone.
    /// </summary>
    public Task RemoveVethAsync(string tapName)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_removalLock)
        {
            _removalQueue.Add((tapName, done));
            if (_removing)
            {
                return done.Task;
            }

            _removing = true;
        }

        _ = Task.Factory.StartNew(RemoveQueuedVeths, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        return done.Task;
    }

    private void RemoveQueuedVeths()
    {
        List<(string Tap, TaskCompletionSource Done)> batch = [];
        try
        {
            using var host = RouteNetlinkClient.Open();
            while (true)
            {
                lock (_removalLock)
                {
                    if (_removalQueue.Count == 0)
                    {
                        _removing = false;
                        return;
                    }

                    batch = _removalQueue;
                    _removalQueue = [];
                }

                var failed = new Dictionary<string, Exception>(StringComparer.Ordinal);
                foreach (var (tap, _) in batch)
                {
                    try
                    {
                        host.DeleteIngressRedirect(tap);
                        host.SetLinkGroup(VethNameFor(tap), _removalGroup);
                    }
                    catch (IOException e)
                    {
                        failed[tap] = e;
                    }
                }

                IOException? groupFailure = null;
                try
                {
                    host.DeleteLinkGroup(_removalGroup);
                }
                catch (IOException e)
                {
                    groupFailure = e;
                }

                foreach (var (tap, done) in batch)
                {
                    if ((failed.GetValueOrDefault(tap) ?? groupFailure) is { } failure)
                    {
                        done.TrySetException(failure);
                    }
                    else
                    {
                        done.TrySetResult();
                    }
                }

                batch = [];
            }
        }
        catch (Exception e)
        {
            // The socket could not be opened: fail this batch and whatever is queued; the next removal starts over.
            lock (_removalLock)
            {
                batch.AddRange(_removalQueue);
                _removalQueue = [];
                _removing = false;
            }

            foreach (var (_, done) in batch)
            {
                done.TrySetException(e);
            }
        }
    }

    /// <summary>The host end of the veth joined to the TAP <paramref name="tapName"/>: "v" and the TAP's name, or a hash of it when that would be too long.</summary>
    public static string VethNameFor(string tapName)
    {
        ArgumentNullException.ThrowIfNull(tapName);
        if (tapName.Length < RouteNetlinkClient.MaxLinkNameLength)
        {
            return "v" + tapName;
        }

        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(tapName));
        return "v" + Convert.ToHexStringLower(hash)[..(RouteNetlinkClient.MaxLinkNameLength - 1)];
    }

    private static void AttachWithVeth(TapInterface tap, PodAddRequest request, bool clean)
    {
        var key = request.Key;
        var veth = VethNameFor(tap.Name);
        using var host = RouteNetlinkClient.Open(); // a thread of its own, in the process's namespace
        using var pod = NetworkNamespaceHandle.Open(key.NetnsPath);
        if (!clean)
        {
            DetachVeth(host, tap.Name); // what an attach the agent did not finish (it stopped half-way) left behind
        }

        try
        {
            // Up separately: the kernel cannot bring the peer up in the creating request.
            host.AddVethPair(veth, key.InterfaceName, pod, tap.Mac, request.Mtu, up: false);
            host.SetLinkUp(veth);
            using (var inPod = RouteNetlinkClient.OpenInNamespace(pod))
            {
                inPod.SetLinkUp(key.InterfaceName);
                ConfigurePod(inPod, request);
            }

            if (request.Mtu > 0)
            {
                host.SetMtu(tap.Name, request.Mtu);
            }

            host.SetLinkUp(tap.Name); // the target may have made it down; a moved TAP comes up in the pod
            host.RedirectIngress(veth, tap.Name);
            host.RedirectIngress(tap.Name, veth);
        }
        catch (IOException)
        {
            DetachVeth(host, tap.Name);
            throw;
        }
    }

    private static void DetachVeth(RouteNetlinkClient host, string tapName)
    {
        host.DeleteIngressRedirect(tapName);
        host.DeleteLink(VethNameFor(tapName));
    }

    /// <summary>
    /// What <paramref name="tap"/> is called in the client's namespace (by MAC): the pod's name for it, or
    /// the one its own name finds (itself if a move stopped half-way, else the link whose alternative name it is); null if absent.
    /// </summary>
    private static string? NameIn(RouteNetlinkClient client, TapInterface tap, string podInterfaceName) =>
        client.FindLink(podInterfaceName) is { } link && link.HardwareAddress == tap.Mac ? link.Name
            : client.FindLink(tap.Name) is { } byPortName && byPortName.HardwareAddress == tap.Mac ? byPortName.Name
            : null;

    private bool ReturnToHost(TapInterface tap, NetworkNamespaceHandle? pod, string podInterfaceName)
    {
        if (_host.FindLink(tap.Name) is not null)
        {
            _host.SetLinkUp(tap.Name); // Never moved, or already back.
            return true;
        }

        if (pod is null)
        {
            return false;
        }

        using var host = NetworkNamespaceHandle.OpenProcessNamespace();
        using var inPod = _worker.OpenClientIn(pod);
        var name = NameIn(inPod, tap, podInterfaceName);
        if (name is null)
        {
            return false;
        }

        if (name != tap.Name)
        {
            // Renamed in the pod first: the host may have a link of the pod's name (eth0). Older kernels refuse to rename a running link.
            inPod.SetLinkDown(name);
            // Its alternative name would take the name it goes back under.
            inPod.DeleteAlternativeName(name, tap.Name);
            inPod.RenameLink(name, tap.Name);
        }

        inPod.MoveToNamespace(tap.Name, host, newName: null, mtu: 0, up: true);
        return true;
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

    public void Dispose()
    {
        _worker.Dispose();
        _host.Dispose();
    }
}
