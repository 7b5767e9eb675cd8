using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Netlink.Messages;
using Packets;

namespace Netlink;

/// <summary>
/// rtnetlink over a NETLINK_ROUTE socket: links (veth pairs among them), IPv4 addresses, IPv4 routes of
/// the main table and ingress redirects (tc clsact, u32, mirred), in the namespace the socket was opened
/// in (see <see cref="Open"/> and <see cref="OpenInNamespace(string)"/>).
/// <para>
/// Calls are synchronous: the kernel handles a request inside sendmsg, so the answer is queued before
/// recv is called (each wait is still bounded, by 10 s). A client may be shared between threads; its
/// requests are serialized. Links are named as in the socket's namespace. Failures the kernel reports
/// are <see cref="NetlinkException"/>s naming the request, e.g. <c>RTM_NEWADDR 10.0.0.1/32 dev eth0: File exists</c>.
/// </para>
/// </summary>
public sealed class RouteNetlinkClient : IDisposable
{
    /// <summary>IFNAMSIZ minus the terminating NUL. Longer names would be cut by the kernel and could match another link.</summary>
    public const int MaxLinkNameLength = 15;

    private const byte FamilyUnspecified = 0;
    private const byte FamilyIPv4 = 2;
    private const ushort NewFlags = NetlinkFlags.Request | NetlinkFlags.Ack;

    /// <summary>The filter priority (tc's <c>prio</c>) of <see cref="RedirectIngress"/>'s u32 filter.</summary>
    private const ushort RedirectPriority = 1;

    private readonly NetlinkSocket _socket;

    private RouteNetlinkClient(NetlinkSocket socket)
    {
        _socket = socket;
    }

    /// <summary>
    /// Opens a client in the calling thread's network namespace: the process's, unless called from work
    /// that <see cref="NetworkNamespaceRunner"/> runs.
    /// </summary>
    public static RouteNetlinkClient Open() => new(NetlinkSocket.Open());

    /// <summary>Opens a client whose socket lives in <paramref name="target"/>; it can then be used from any thread.</summary>
    public static RouteNetlinkClient OpenInNamespace(NetworkNamespaceHandle target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return NamespaceThread.Run(target, Open);
    }

    /// <summary>Opens a client whose socket lives in the namespace at <paramref name="namespacePath"/>.</summary>
    /// <exception cref="NetworkNamespaceNotFoundException"><paramref name="namespacePath"/> does not exist.</exception>
    public static RouteNetlinkClient OpenInNamespace(string namespacePath)
    {
        using var target = NetworkNamespaceHandle.Open(namespacePath);
        return OpenInNamespace(target);
    }

    /// <summary>Every link, in ifindex order.</summary>
    public IReadOnlyList<LinkInfo> GetLinks()
    {
        var request = new NetlinkRequest(NetlinkMessageTypes.GetLink, NetlinkFlags.Request | NetlinkFlags.Dump);
        var header = new InterfaceInfoMessage { Family = FamilyUnspecified };
        request.Append(ref header);
        return _socket.Dump<LinkInfo>(request, "RTM_GETLINK dump", TryParseLink);
    }

    /// <exception cref="NetlinkException">No such link (<see cref="ErrorNumbers.ENODEV"/>).</exception>
    public LinkInfo GetLink(string name) =>
        QueryLink(name, "RTM_GETLINK dev " + name) ?? throw new NetlinkException("RTM_GETLINK dev " + name, ErrorNumbers.ENODEV);

    /// <summary>The link called <paramref name="name"/>, or null if there is none.</summary>
    public LinkInfo? FindLink(string name)
    {
        try
        {
            return QueryLink(name, "RTM_GETLINK dev " + name);
        }
        catch (NetlinkException exception) when (exception.Errno == ErrorNumbers.ENODEV)
        {
            return null;
        }
    }

    public void SetLinkUp(string name) => ChangeFlags(name, up: true);

    public void SetLinkDown(string name) => ChangeFlags(name, up: false);

    public void SetMtu(string name, int mtu)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(mtu);
        var operation = string.Create(CultureInfo.InvariantCulture, $"RTM_SETLINK dev {name} mtu {mtu}");
        var request = LinkRequest(ResolveIndex(name, operation));
        request.AddUInt32(AttributeTypes.LinkMtu, (uint)mtu);
        _socket.Execute(request, operation);
    }

    /// <summary>
    /// Renames a link; <see cref="ErrorNumbers.EEXIST"/> if the name is taken. Set it down first: older
    /// kernels refuse to rename a running link (<see cref="ErrorNumbers.EBUSY"/>), recent ones allow it.
    /// </summary>
    public void RenameLink(string name, string newName)
    {
        ValidateLinkName(newName, nameof(newName));
        var operation = $"RTM_SETLINK dev {name} name {newName}";
        var request = LinkRequest(ResolveIndex(name, operation));
        request.AddString(AttributeTypes.LinkName, newName);
        _socket.Execute(request, operation);
    }

    /// <summary>
    /// Gives a link an alternative name (RTM_NEWLINKPROP, kernel 5.5+), which follows it into other
    /// namespaces and finds it by name like its own (<see cref="FindLink"/>, TUNSETIFF). Names are
    /// unique per namespace, alternative ones included: <see cref="ErrorNumbers.EEXIST"/> if taken.
    /// </summary>
    public void AddAlternativeName(string name, string alternativeName)
    {
        ValidateLinkName(alternativeName, nameof(alternativeName));
        ChangeProperty(NetlinkMessageTypes.NewLinkProperty, NewFlags | NetlinkFlags.Create | NetlinkFlags.Exclusive, $"RTM_NEWLINKPROP dev {name} altname {alternativeName}", name, alternativeName);
    }

    /// <summary>Removes an alternative name of a link; false if it did not have it.</summary>
    public bool DeleteAlternativeName(string name, string alternativeName)
    {
        try
        {
            ChangeProperty(NetlinkMessageTypes.DeleteLinkProperty, NewFlags, $"RTM_DELLINKPROP dev {name} altname {alternativeName}", name, alternativeName);
            return true;
        }
        catch (NetlinkException exception) when (exception.Errno == ErrorNumbers.ENOENT)
        {
            return false;
        }
    }

    /// <summary>
    /// Moves a link from this client's namespace into <paramref name="target"/> (IFLA_NET_NS_FD). It keeps
    /// its name, so a name already used there fails with <see cref="ErrorNumbers.EEXIST"/>: rename first.
    /// Addresses and routes do not move; the link arrives down.
    /// </summary>
    public void MoveToNamespace(string name, NetworkNamespaceHandle target) => MoveToNamespace(name, target, newName: null, mtu: 0, up: false);

    /// <summary>
    /// Moves a link into <paramref name="target"/> and there, in the same request, sets its MTU (when
    /// positive), renames it to <paramref name="newName"/> (when given) and brings it up (when
    /// <paramref name="up"/>), in that order. Each move costs the kernel an rcu_barrier() under the RTNL
    /// lock (tens of milliseconds), so doing the rest in the same request saves a lock round per step.
    /// A rename that fails (<see cref="ErrorNumbers.EEXIST"/>) leaves the link moved, down, under its old name.
    /// </summary>
    public void MoveToNamespace(string name, NetworkNamespaceHandle target, string? newName, int mtu, bool up)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentOutOfRangeException.ThrowIfNegative(mtu);
        if (newName is not null)
        {
            ValidateLinkName(newName, nameof(newName));
        }

        var operation = newName is null && mtu == 0 && !up
            ? $"RTM_SETLINK dev {name} netns {target.Path}"
            : string.Create(CultureInfo.InvariantCulture, $"RTM_SETLINK dev {name} netns {target.Path}{(mtu > 0 ? $" mtu {mtu}" : "")}{(newName is null ? "" : " name " + newName)}{(up ? " up" : "")}");
        var request = LinkRequest(ResolveIndex(name, operation), up ? InterfaceInfoMessage.FlagUp : 0, up ? InterfaceInfoMessage.FlagUp : 0);
        if (mtu > 0)
        {
            request.AddUInt32(AttributeTypes.LinkMtu, (uint)mtu);
        }

        if (newName is not null)
        {
            request.AddString(AttributeTypes.LinkName, newName);
        }

        var added = false;
        try
        {
            target.SafeFileHandle.DangerousAddRef(ref added);
            request.AddUInt32(AttributeTypes.LinkNetNamespaceFd, (uint)target.SafeFileHandle.DangerousGetHandle());
            _socket.Execute(request, operation);
        }
        finally
        {
            if (added)
            {
                target.SafeFileHandle.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// Creates a veth pair in one RTM_NEWLINK (NLM_F_CREATE | NLM_F_EXCL): <paramref name="name"/> in this
    /// client's namespace and its peer <paramref name="peerName"/> created directly inside
    /// <paramref name="peerNamespace"/> (VETH_INFO_PEER with IFLA_NET_NS_FD), so no link is moved: a move
    /// costs the kernel an rcu_barrier() under the RTNL lock, creating the peer in place does not.
    /// Both ends get <paramref name="mtu"/> (when positive); the peer gets <paramref name="peerAddress"/>
    /// when given, a random MAC otherwise, as does this end. <see cref="ErrorNumbers.EEXIST"/> if either name
    /// is taken in its namespace; then nothing is created.
    /// <para>
    /// When <paramref name="up"/>, this end comes up with the pair, the peer right after, through a socket
    /// opened in <paramref name="peerNamespace"/>: the kernel configures the peer before it joins the pair,
    /// so an IFF_UP in the peer's ifinfomsg fails with ENOTCONN (as <c>ip link add … peer … up</c> does). If
    /// that second step fails, the pair is deleted again.
    /// </para>
    /// </summary>
    public void AddVethPair(string name, string peerName, NetworkNamespaceHandle peerNamespace, MacAddress? peerAddress, int mtu, bool up)
    {
        ValidateLinkName(name, nameof(name));
        ValidateLinkName(peerName, nameof(peerName));
        ArgumentNullException.ThrowIfNull(peerNamespace);
        ArgumentOutOfRangeException.ThrowIfNegative(mtu);

        var operation = string.Create(
            CultureInfo.InvariantCulture,
            $"RTM_NEWLINK dev {name} type veth peer {peerName} netns {peerNamespace.Path}{(peerAddress is { } mac ? $" address {mac}" : "")}{(mtu > 0 ? $" mtu {mtu}" : "")}{(up ? " up" : "")}");
        var flags = up ? InterfaceInfoMessage.FlagUp : 0;
        var request = new NetlinkRequest(NetlinkMessageTypes.NewLink, NewFlags | NetlinkFlags.Create | NetlinkFlags.Exclusive);
        var header = new InterfaceInfoMessage { Family = FamilyUnspecified, Flags = flags, Change = flags };
        request.Append(ref header);
        request.AddString(AttributeTypes.LinkName, name);
        if (mtu > 0)
        {
            request.AddUInt32(AttributeTypes.LinkMtu, (uint)mtu);
        }

        var added = false;
        try
        {
            peerNamespace.SafeFileHandle.DangerousAddRef(ref added);
            var linkInfo = request.BeginNested(AttributeTypes.LinkInfo);
            request.AddString(AttributeTypes.LinkInfoKind, "veth");
            var data = request.BeginNested(AttributeTypes.LinkInfoData);
            var peer = request.BeginNested(AttributeTypes.VethPeer);

            // The peer's own ifinfomsg, without IFF_UP: veth_open of an unpaired peer is ENOTCONN.
            var peerHeader = new InterfaceInfoMessage { Family = FamilyUnspecified };
            request.Append(ref peerHeader);
            request.AddString(AttributeTypes.LinkName, peerName);
            request.AddUInt32(AttributeTypes.LinkNetNamespaceFd, (uint)peerNamespace.SafeFileHandle.DangerousGetHandle());
            if (peerAddress is { } address)
            {
                Span<byte> bytes = stackalloc byte[MacAddress.Length];
                address.WriteTo(bytes);
                request.AddAttribute(AttributeTypes.LinkAddress, bytes);
            }

            if (mtu > 0)
            {
                request.AddUInt32(AttributeTypes.LinkMtu, (uint)mtu);
            }

            request.EndNested(peer);
            request.EndNested(data);
            request.EndNested(linkInfo);
            _socket.Execute(request, operation);
        }
        finally
        {
            if (added)
            {
                peerNamespace.SafeFileHandle.DangerousRelease();
            }
        }

        if (up)
        {
            try
            {
                using var peerClient = OpenInNamespace(peerNamespace);
                peerClient.SetLinkUp(peerName);
            }
            catch
            {
                try
                {
                    DeleteLink(name);
                }
                catch (NetlinkException)
                {
                    // Best effort: the failure to report is the one above.
                }

                throw;
            }
        }
    }

    /// <summary>
    /// Deletes a link (RTM_DELLINK); a veth takes its peer with it, wherever that is. Returns false if there
    /// is no link called <paramref name="name"/> (<see cref="ErrorNumbers.ENODEV"/>).
    /// </summary>
    public bool DeleteLink(string name)
    {
        var operation = "RTM_DELLINK dev " + name;
        try
        {
            var request = new NetlinkRequest(NetlinkMessageTypes.DeleteLink, NewFlags);
            var header = new InterfaceInfoMessage { Family = FamilyUnspecified, Index = ResolveIndex(name, operation) };
            request.Append(ref header);
            _socket.Execute(request, operation);
            return true;
        }
        catch (NetlinkException exception) when (exception.Errno == ErrorNumbers.ENODEV)
        {
            return false;
        }
    }

    /// <summary>Puts a link in device group <paramref name="group"/> (IFLA_GROUP); false when there is no such link.</summary>
    public bool SetLinkGroup(string name, uint group)
    {
        var operation = string.Create(CultureInfo.InvariantCulture, $"RTM_SETLINK dev {name} group {group}");
        try
        {
            var request = LinkRequest(ResolveIndex(name, operation));
            request.AddUInt32(AttributeTypes.LinkGroup, group);
            _socket.Execute(request, operation);
            return true;
        }
        catch (NetlinkException exception) when (exception.Errno == ErrorNumbers.ENODEV)
        {
            return false;
        }
    }

    /// <summary>
    /// Deletes every link of device group <paramref name="group"/> in one RTM_DELLINK (as <c>ip link del
    /// group N</c>): the kernel unregisters them together, with one synchronize_net() and one rcu_barrier()
    /// for all instead of one each. Returns false when the group had no link.
    /// </summary>
    public bool DeleteLinkGroup(uint group)
    {
        var operation = string.Create(CultureInfo.InvariantCulture, $"RTM_DELLINK group {group}");
        var request = new NetlinkRequest(NetlinkMessageTypes.DeleteLink, NewFlags);
        var header = new InterfaceInfoMessage { Family = FamilyUnspecified };
        request.Append(ref header);
        request.AddUInt32(AttributeTypes.LinkGroup, group);
        try
        {
            _socket.Execute(request, operation);
            return true;
        }
        catch (NetlinkException exception) when (exception.Errno is ErrorNumbers.ENODEV or ErrorNumbers.ENOENT)
        {
            return false;
        }
    }

    /// <summary>The IPv4 addresses of a link, primary first as the kernel lists them.</summary>
    public IReadOnlyList<InterfaceAddress> GetAddresses(string linkName)
    {
        var operation = "RTM_GETADDR dump dev " + linkName;
        var index = ResolveIndex(linkName, operation);
        var request = new NetlinkRequest(NetlinkMessageTypes.GetAddress, NetlinkFlags.Request | NetlinkFlags.Dump);
        var header = new InterfaceAddressMessage { Family = FamilyIPv4, Index = (uint)index };
        request.Append(ref header);

        // Without NETLINK_GET_STRICT_CHK the kernel ignores the index in a dump; filter here.
        return _socket.Dump(request, operation, (ushort type, ReadOnlySpan<byte> payload, [MaybeNullWhen(false)] out InterfaceAddress address) =>
            TryParseAddress(type, payload, out address) && address.LinkIndex == index);
    }

    /// <summary>Adds an IPv4 address; <see cref="ErrorNumbers.EEXIST"/> if the link already has it.</summary>
    public void AddAddress(string linkName, IPv4Prefix address) =>
        ChangeAddress(NetlinkMessageTypes.NewAddress, NewFlags | NetlinkFlags.Create | NetlinkFlags.Exclusive, "RTM_NEWADDR", linkName, address);

    /// <summary>Removes an IPv4 address; <see cref="ErrorNumbers.EADDRNOTAVAIL"/> if the link does not have it.</summary>
    public void DeleteAddress(string linkName, IPv4Prefix address) =>
        ChangeAddress(NetlinkMessageTypes.DeleteAddress, NewFlags, "RTM_DELADDR", linkName, address);

    /// <summary>Removes every IPv4 address of a link; returns how many it asked the kernel to remove.</summary>
    public int FlushAddresses(string linkName)
    {
        var removed = 0;
        foreach (var address in GetAddresses(linkName))
        {
            try
            {
                DeleteAddress(linkName, address.Prefix);
                removed++;
            }
            catch (NetlinkException exception) when (exception.Errno == ErrorNumbers.EADDRNOTAVAIL)
            {
                // Deleting a primary address takes its secondaries with it.
            }
        }

        return removed;
    }

    /// <summary>The unicast IPv4 routes of the main table, with their output links named.</summary>
    public IReadOnlyList<IPv4Route> GetRoutes()
    {
        var names = new Dictionary<int, string>();
        foreach (var link in GetLinks())
        {
            names[link.Index] = link.Name;
        }

        var request = new NetlinkRequest(NetlinkMessageTypes.GetRoute, NetlinkFlags.Request | NetlinkFlags.Dump);
        var header = new RouteMessage { Family = FamilyIPv4 };
        request.Append(ref header);
        return _socket.Dump(request, "RTM_GETROUTE dump", (ushort type, ReadOnlySpan<byte> payload, [MaybeNullWhen(false)] out IPv4Route route) =>
            TryParseRoute(type, payload, names, out route));
    }

    /// <summary>Adds a route (NLM_F_CREATE | NLM_F_EXCL); <see cref="ErrorNumbers.EEXIST"/> if one with the same destination and metric exists.</summary>
    public void AddRoute(IPv4Route route) =>
        ChangeRoute(NetlinkMessageTypes.NewRoute, NewFlags | NetlinkFlags.Create | NetlinkFlags.Exclusive, "RTM_NEWROUTE", route);

    /// <summary>Adds a route, or replaces the one with the same destination and metric (NLM_F_CREATE | NLM_F_REPLACE).</summary>
    public void ReplaceRoute(IPv4Route route) =>
        ChangeRoute(NetlinkMessageTypes.NewRoute, NewFlags | NetlinkFlags.Create | NetlinkFlags.Replace, "RTM_NEWROUTE replace", route);

    /// <summary>
    /// Deletes a route of the main table: the destination must match, and the gateway, device and
    /// metric too when given; any scope matches. <see cref="ErrorNumbers.ESRCH"/> if there is none.
    /// </summary>
    public void DeleteRoute(IPv4Route route) =>
        ChangeRoute(NetlinkMessageTypes.DeleteRoute, NewFlags, "RTM_DELROUTE", route);

    /// <summary>
    /// Makes every frame received on <paramref name="name"/> leave through <paramref name="toName"/>, as
    /// <c>tc qdisc add dev NAME clsact; tc filter add dev NAME ingress prio 1 handle 800::800 protocol all
    /// u32 match u32 0 0 action mirred egress redirect dev TONAME</c>: a clsact qdisc (kept if the link
    /// already has one), then on its ingress hook a u32 filter without keys, which matches every frame,
    /// whose mirred action redirects it to the egress of <paramref name="toName"/>.
    /// <para>
    /// u32 rather than matchall: it is in every kernel with tc filters, matchall (CONFIG_NET_CLS_MATCHALL)
    /// is not. <see cref="ErrorNumbers.EEXIST"/> if the link already has that redirect (remove it with
    /// <see cref="DeleteIngressRedirect"/>); a failed filter leaves the clsact qdisc in place. Either link
    /// unknown: <see cref="ErrorNumbers.ENODEV"/>, before any change.
    /// </para>
    /// </summary>
    public void RedirectIngress(string name, string toName)
    {
        var operation = $"RTM_NEWTFILTER dev {name} ingress u32 mirred egress redirect dev {toName}";
        var index = ResolveIndex(name, operation);
        var target = ResolveIndex(toName, operation);
        AddClsact(name, index);

        var request = new NetlinkRequest(NetlinkMessageTypes.NewFilter, NewFlags | NetlinkFlags.Create | NetlinkFlags.Exclusive);
        var header = new TrafficControlMessage
        {
            Family = FamilyUnspecified,
            Index = index,
            Handle = TrafficControlMessage.FirstU32Node,
            Parent = TrafficControlMessage.ClsactIngress,
            Info = TrafficControlMessage.FilterInfo(RedirectPriority),
        };
        request.Append(ref header);
        request.AddString(AttributeTypes.TrafficControlKind, "u32");
        var options = request.BeginNested(AttributeTypes.TrafficControlOptions);
        var selector = new U32Selector { Flags = U32Selector.FlagTerminal };
        request.AddStruct(AttributeTypes.U32Selector, ref selector);
        var actions = request.BeginNested(AttributeTypes.U32Actions);
        var action = request.BeginNested(1); // the first (and only) action
        request.AddString(AttributeTypes.ActionKind, "mirred");
        var actionOptions = request.BeginNested(AttributeTypes.ActionOptions);
        var parameters = new MirredParameters
        {
            Action = MirredParameters.ActionStolen,
            ExtendedAction = MirredParameters.EgressRedirect,
            InterfaceIndex = (uint)target,
        };
        request.AddStruct(AttributeTypes.ActionMirredParameters, ref parameters);
        request.EndNested(actionOptions);
        request.EndNested(action);
        request.EndNested(actions);
        request.EndNested(options);
        _socket.Execute(request, operation);
    }

    /// <summary>
    /// Removes the clsact qdisc of <paramref name="name"/> and with it every filter it holds, the redirect
    /// of <see cref="RedirectIngress"/> included (RTM_DELQDISC). Returns false if the link has no clsact
    /// qdisc or does not exist.
    /// </summary>
    public bool DeleteIngressRedirect(string name)
    {
        var operation = $"RTM_DELQDISC dev {name} clsact";
        try
        {
            var request = new NetlinkRequest(NetlinkMessageTypes.DeleteQdisc, NewFlags);
            var header = new TrafficControlMessage
            {
                Family = FamilyUnspecified,
                Index = ResolveIndex(name, operation),
                Handle = TrafficControlMessage.ClsactHandle,
                Parent = TrafficControlMessage.ClsactParent,
            };
            request.Append(ref header);

            // With the kind, an ingress qdisc of another kind is left alone (EINVAL).
            request.AddString(AttributeTypes.TrafficControlKind, "clsact");
            _socket.Execute(request, operation);
            return true;
        }
        catch (NetlinkException exception) when (exception.Errno is ErrorNumbers.ENODEV or ErrorNumbers.ENOENT or ErrorNumbers.EINVAL)
        {
            // No ingress queue yet: ENOENT ("Cannot find specified qdisc"). One whose clsact was deleted holds
            // noop_qdisc, whose handle does not match: EINVAL ("Invalid handle"), as for an ingress qdisc.
            return false;
        }
    }

    /// <summary>
    /// The link that the ingress filters of <paramref name="name"/> redirect its frames to: the first u32
    /// or matchall filter on the clsact ingress hook with a mirred egress redirect (what
    /// <see cref="RedirectIngress"/> writes, or <c>tc … matchall action mirred egress redirect</c>), or null
    /// if there is none or its target link is gone. An unknown <paramref name="name"/> is <see cref="ErrorNumbers.ENODEV"/>.
    /// </summary>
    public string? IngressRedirectTarget(string name)
    {
        var operation = $"RTM_GETTFILTER dump dev {name} ingress";
        var index = ResolveIndex(name, operation);
        var request = new NetlinkRequest(NetlinkMessageTypes.GetFilter, NetlinkFlags.Request | NetlinkFlags.Dump);
        var header = new TrafficControlMessage { Family = FamilyUnspecified, Index = index, Parent = TrafficControlMessage.ClsactIngress };
        request.Append(ref header);
        var targets = _socket.Dump(request, operation, (ushort type, ReadOnlySpan<byte> payload, out int target) =>
            TryParseRedirectTarget(type, payload, index, out target));
        foreach (var target in targets)
        {
            if (FindLinkName(target) is { } targetName)
            {
                return targetName;
            }
        }

        return null;
    }

    public void Dispose() => _socket.Dispose();

    private LinkInfo? QueryLink(string name, string operation)
    {
        ValidateLinkName(name, nameof(name));
        var request = new NetlinkRequest(NetlinkMessageTypes.GetLink, NewFlags);
        var header = new InterfaceInfoMessage { Family = FamilyUnspecified };
        request.Append(ref header);
        request.AddString(AttributeTypes.LinkName, name);
        LinkInfo? found = null;
        _socket.Execute(request, operation, (type, payload) =>
        {
            if (TryParseLink(type, payload, out var link))
            {
                found = link;
            }
        });
        return found;
    }

    /// <summary>The ifindex of <paramref name="name"/>; an unknown name fails as <paramref name="operation"/> with ENODEV.</summary>
    private int ResolveIndex(string name, string operation) =>
        QueryLink(name, operation)?.Index ?? throw new NetlinkException(operation, ErrorNumbers.ENODEV);

    /// <summary>The name of the link with ifindex <paramref name="index"/>, or null if there is none.</summary>
    private string? FindLinkName(int index)
    {
        var request = new NetlinkRequest(NetlinkMessageTypes.GetLink, NewFlags);
        var header = new InterfaceInfoMessage { Family = FamilyUnspecified, Index = index };
        request.Append(ref header);
        string? found = null;
        try
        {
            _socket.Execute(request, string.Create(CultureInfo.InvariantCulture, $"RTM_GETLINK index {index}"), (type, payload) =>
            {
                if (TryParseLink(type, payload, out var link))
                {
                    found = link.Name;
                }
            });
        }
        catch (NetlinkException exception) when (exception.Errno == ErrorNumbers.ENODEV)
        {
            return null;
        }

        return found;
    }

    /// <summary>Adds a clsact qdisc (NLM_F_CREATE without NLM_F_EXCL: an existing one is kept).</summary>
    private void AddClsact(string name, int index)
    {
        var operation = $"RTM_NEWQDISC dev {name} clsact";
        var request = new NetlinkRequest(NetlinkMessageTypes.NewQdisc, NewFlags | NetlinkFlags.Create);
        var header = new TrafficControlMessage
        {
            Family = FamilyUnspecified,
            Index = index,
            Handle = TrafficControlMessage.ClsactHandle,
            Parent = TrafficControlMessage.ClsactParent,
        };
        request.Append(ref header);
        request.AddString(AttributeTypes.TrafficControlKind, "clsact");
        try
        {
            _socket.Execute(request, operation);
        }
        catch (NetlinkException exception) when (exception.Errno == ErrorNumbers.EEXIST)
        {
            // Already there: its filters stay.
        }
    }

    private static NetlinkRequest LinkRequest(int index, uint flags = 0, uint change = 0)
    {
        var request = new NetlinkRequest(NetlinkMessageTypes.SetLink, NewFlags);
        var header = new InterfaceInfoMessage { Family = FamilyUnspecified, Index = index, Flags = flags, Change = change };
        request.Append(ref header);
        return request;
    }

    private void ChangeProperty(ushort type, ushort flags, string operation, string name, string alternativeName)
    {
        var request = new NetlinkRequest(type, flags);
        var header = new InterfaceInfoMessage { Family = FamilyUnspecified, Index = ResolveIndex(name, operation) };
        request.Append(ref header);
        var list = request.BeginNested(AttributeTypes.LinkPropertyList | AttributeTypes.NestedFlag);
        request.AddString(AttributeTypes.LinkAlternativeName, alternativeName);
        request.EndNested(list);
        _socket.Execute(request, operation);
    }

    private void ChangeFlags(string name, bool up)
    {
        var operation = $"RTM_SETLINK dev {name} {(up ? "up" : "down")}";
        var request = LinkRequest(ResolveIndex(name, operation), up ? InterfaceInfoMessage.FlagUp : 0, InterfaceInfoMessage.FlagUp);
        _socket.Execute(request, operation);
    }

    private void ChangeAddress(ushort type, ushort flags, string verb, string linkName, IPv4Prefix address)
    {
        var operation = $"{verb} {address} dev {linkName}";
        var request = new NetlinkRequest(type, flags);
        var header = new InterfaceAddressMessage
        {
            Family = FamilyIPv4,
            PrefixLength = (byte)address.Length,
            Index = (uint)ResolveIndex(linkName, operation),
        };
        request.Append(ref header);
        request.AddAddress(AttributeTypes.AddressLocal, address.Address);
        request.AddAddress(AttributeTypes.AddressAddress, address.Address);
        _socket.Execute(request, operation);
    }

    private void ChangeRoute(ushort type, ushort flags, string verb, IPv4Route route)
    {
        ArgumentNullException.ThrowIfNull(route);
        var operation = $"{verb} {route}";
        var delete = type == NetlinkMessageTypes.DeleteRoute;

        // As iproute2: a delete leaves type and protocol open and matches any scope.
        var header = new RouteMessage
        {
            Family = FamilyIPv4,
            DestinationLength = (byte)route.Destination.Length,
            Table = RouteMessage.MainTable,
            Protocol = delete ? (byte)0 : RouteMessage.ProtocolBoot,
            Scope = delete ? (byte)RouteScope.Nowhere : (byte)route.Scope,
            Type = delete ? (byte)0 : RouteMessage.TypeUnicast,
        };
        var request = new NetlinkRequest(type, flags);
        request.Append(ref header);
        if (route.Destination.Length > 0)
        {
            request.AddAddress(AttributeTypes.RouteDestination, route.Destination.Address);
        }

        if (route.Gateway is { } gateway)
        {
            request.AddAddress(AttributeTypes.RouteGateway, gateway);
        }

        if (route.Device is { } device)
        {
            request.AddUInt32(AttributeTypes.RouteOutputInterface, (uint)ResolveIndex(device, operation));
        }

        if (route.Metric != 0)
        {
            request.AddUInt32(AttributeTypes.RoutePriority, route.Metric);
        }

        request.AddUInt32(AttributeTypes.RouteTable, RouteMessage.MainTable);
        _socket.Execute(request, operation);
    }

    private static bool TryParseLink(ushort type, ReadOnlySpan<byte> payload, [MaybeNullWhen(false)] out LinkInfo link)
    {
        link = null;
        if (type != NetlinkMessageTypes.NewLink || payload.Length < InterfaceInfoMessage.Size)
        {
            return false;
        }

        var header = MemoryMarshal.Read<InterfaceInfoMessage>(payload);
        string? name = null;
        string? kind = null;
        MacAddress? mac = null;
        var mtu = 0;
        var attributes = new NetlinkAttributeReader(payload[InterfaceInfoMessage.Size..]);
        while (attributes.TryRead(out var attribute, out var value))
        {
            switch (attribute)
            {
                case AttributeTypes.LinkName:
                    name = NetlinkAttributeReader.ReadString(value);
                    break;
                case AttributeTypes.LinkAddress when value.Length == MacAddress.Length:
                    mac = MacAddress.Read(value);
                    break;
                case AttributeTypes.LinkMtu:
                    mtu = (int)NetlinkAttributeReader.ReadUInt32(value);
                    break;
                case AttributeTypes.LinkInfo:
                    var info = new NetlinkAttributeReader(value);
                    while (info.TryRead(out var infoAttribute, out var infoValue))
                    {
                        if (infoAttribute == AttributeTypes.LinkInfoKind)
                        {
                            kind = NetlinkAttributeReader.ReadString(infoValue);
                        }
                    }

                    break;
            }
        }

        if (name is null)
        {
            return false;
        }

        link = new LinkInfo(header.Index, name, mac, mtu, header.Flags, kind);
        return true;
    }

    private static bool TryParseAddress(ushort type, ReadOnlySpan<byte> payload, [MaybeNullWhen(false)] out InterfaceAddress address)
    {
        address = null;
        if (type != NetlinkMessageTypes.NewAddress || payload.Length < InterfaceAddressMessage.Size)
        {
            return false;
        }

        var header = MemoryMarshal.Read<InterfaceAddressMessage>(payload);
        if (header.Family != FamilyIPv4)
        {
            return false;
        }

        // For IPv4 IFA_LOCAL is the interface's address; IFA_ADDRESS is the peer on point-to-point links.
        IPv4Address? local = null;
        IPv4Address? peer = null;
        var attributes = new NetlinkAttributeReader(payload[InterfaceAddressMessage.Size..]);
        while (attributes.TryRead(out var attribute, out var value))
        {
            switch (attribute)
            {
                case AttributeTypes.AddressLocal:
                    local = NetlinkAttributeReader.ReadAddress(value);
                    break;
                case AttributeTypes.AddressAddress:
                    peer = NetlinkAttributeReader.ReadAddress(value);
                    break;
            }
        }

        if ((local ?? peer) is not { } found || header.PrefixLength > 32)
        {
            return false;
        }

        address = new InterfaceAddress(new IPv4Prefix(found, header.PrefixLength), (int)header.Index, (RouteScope)header.Scope);
        return true;
    }

    private static bool TryParseRoute(ushort type, ReadOnlySpan<byte> payload, Dictionary<int, string> linkNames, [MaybeNullWhen(false)] out IPv4Route route)
    {
        route = null;
        if (type != NetlinkMessageTypes.NewRoute || payload.Length < RouteMessage.Size)
        {
            return false;
        }

        var header = MemoryMarshal.Read<RouteMessage>(payload);
        if (header.Family != FamilyIPv4 || header.Type != RouteMessage.TypeUnicast || header.DestinationLength > 32)
        {
            return false;
        }

        uint table = header.Table;
        var destination = default(IPv4Address);
        IPv4Address? gateway = null;
        string? device = null;
        uint metric = 0;
        var attributes = new NetlinkAttributeReader(payload[RouteMessage.Size..]);
        while (attributes.TryRead(out var attribute, out var value))
        {
            switch (attribute)
            {
                case AttributeTypes.RouteTable:
                    table = NetlinkAttributeReader.ReadUInt32(value);
                    break;
                case AttributeTypes.RouteDestination:
                    destination = NetlinkAttributeReader.ReadAddress(value) ?? default;
                    break;
                case AttributeTypes.RouteGateway:
                    gateway = NetlinkAttributeReader.ReadAddress(value);
                    break;
                case AttributeTypes.RouteOutputInterface:
                    var index = (int)NetlinkAttributeReader.ReadUInt32(value);
                    device = linkNames.GetValueOrDefault(index) ?? index.ToString(CultureInfo.InvariantCulture);
                    break;
                case AttributeTypes.RoutePriority:
                    metric = NetlinkAttributeReader.ReadUInt32(value);
                    break;
            }
        }

        if (table != RouteMessage.MainTable)
        {
            return false;
        }

        route = new IPv4Route(new IPv4Prefix(destination, header.DestinationLength), device, gateway, (RouteScope)header.Scope, metric);
        return true;
    }

    /// <summary>
    /// The target ifindex of a u32 or matchall filter node of link <paramref name="index"/> whose action is a
    /// mirred egress redirect: TCA_OPTIONS { TCA_U32_ACT or TCA_MATCHALL_ACT { n { TCA_ACT_KIND,
    /// TCA_ACT_OPTIONS { TCA_MIRRED_PARMS } } } }.
    /// </summary>
    private static bool TryParseRedirectTarget(ushort type, ReadOnlySpan<byte> payload, int index, out int target)
    {
        target = 0;
        if (type != NetlinkMessageTypes.NewFilter || payload.Length < TrafficControlMessage.Size
            || MemoryMarshal.Read<TrafficControlMessage>(payload).Index != index)
        {
            return false;
        }

        var kind = string.Empty;
        var options = ReadOnlySpan<byte>.Empty;
        var attributes = new NetlinkAttributeReader(payload[TrafficControlMessage.Size..]);
        while (attributes.TryRead(out var attribute, out var value))
        {
            switch (attribute)
            {
                case AttributeTypes.TrafficControlKind:
                    kind = NetlinkAttributeReader.ReadString(value);
                    break;
                case AttributeTypes.TrafficControlOptions:
                    options = value;
                    break;
            }
        }

        var actionsType = kind switch
        {
            "u32" => AttributeTypes.U32Actions,
            "matchall" => AttributeTypes.MatchallActions,
            _ => (ushort)0,
        };
        var filter = new NetlinkAttributeReader(options);
        while (actionsType != 0 && filter.TryRead(out var attribute, out var actions))
        {
            if (attribute != actionsType)
            {
                continue;
            }

            var actionList = new NetlinkAttributeReader(actions);
            while (actionList.TryRead(out _, out var action))
            {
                if (TryReadMirredRedirect(action, out target))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static bool TryReadMirredRedirect(ReadOnlySpan<byte> action, out int target)
    {
        target = 0;
        var kind = string.Empty;
        var options = ReadOnlySpan<byte>.Empty;
        var attributes = new NetlinkAttributeReader(action);
        while (attributes.TryRead(out var attribute, out var value))
        {
            switch (attribute)
            {
                case AttributeTypes.ActionKind:
                    kind = NetlinkAttributeReader.ReadString(value);
                    break;
                case AttributeTypes.ActionOptions:
                    options = value;
                    break;
            }
        }

        if (kind != "mirred")
        {
            return false;
        }

        var mirred = new NetlinkAttributeReader(options);
        while (mirred.TryRead(out var attribute, out var value))
        {
            if (attribute == AttributeTypes.ActionMirredParameters && value.Length >= MirredParameters.Size)
            {
                var parameters = MemoryMarshal.Read<MirredParameters>(value);

                // A target that went away is dumped as ifindex 0.
                if (parameters.ExtendedAction == MirredParameters.EgressRedirect && parameters.InterfaceIndex != 0)
                {
                    target = (int)parameters.InterfaceIndex;
                    return true;
                }
            }
        }

        return false;
    }

    private static void ValidateLinkName(string name, string parameterName)
    {
        ArgumentException.ThrowIfNullOrEmpty(name, parameterName);
        if (Encoding.UTF8.GetByteCount(name) > MaxLinkNameLength)
        {
            throw new ArgumentException($"link name '{name}' is longer than {MaxLinkNameLength} bytes", parameterName);
        }
    }
}
