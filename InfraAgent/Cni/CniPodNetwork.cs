using InfraAgent.Cni.PodInterfaces;
using Netlink;
using Packets;

namespace InfraAgent.Cni;

/// <summary>What a CNI Add answers: the pod's MAC, or why it failed (after everything was undone).</summary>
internal readonly record struct PodAddOutcome(bool Succeeded, string Error, MacAddress Mac);

/// <summary>
/// Pod networking with TAP ports (reference-behaviour.md 6.3, 6.4, 6.7), with the Go agent's defects
/// fixed (11.3 #13, #14): an Add that fails at any step undoes all it did; a Del frees the TAP and the
/// manager's entries even when the pod's namespace is gone, and a repeated Del succeeds; at start the
/// pool is rebuilt from the cache and the kernel, and pods whose namespace is gone are reclaimed.
/// Operations on one pod are serialized; different pods proceed in parallel.
/// <para>
/// Where the time goes: moving a link between namespaces costs the kernel an rcu_barrier() under the
/// RTNL lock (about 20 ms here, and moves never overlap). An Add cannot avoid its move, so it runs the
/// move side by side with the cache write and the manager call. A Del answers once the manager's
/// entries are gone and the cache entry is marked released; the TAP is parked in the pod's namespace
/// (held open, and the pod's lock held, until the TAP has left it). An Add moves a parked TAP straight
/// into its pod when there is one (one move instead of two); the others go home when the kernel worker
/// is idle.
/// </para>
/// <para>
/// With tapAttach: veth nothing moves: an Add makes a veth in the pod and joins it to the TAP with tc
/// (on its own thread, so Adds overlap); a Del answers once the manager's entries are gone and the veth's
/// removal (the kernel's rcu_barrier again, but outside the RTNL lock) frees the TAP a little later. An Add
/// that finds no free TAP while such removals are under way waits for them.
/// </para>
/// </summary>
internal sealed class CniPodNetwork
{
    private readonly AgentOptions _options;
    private readonly TapPodInterface _kernel;
    private readonly TapInterfacePool _pool = new();
    private readonly InterfaceCacheStore _cache;
    private readonly ManagerNetworkClient _manager;
    private readonly IPodNetworkCidrSource _cidrs;
    private readonly ILogger<CniPodNetwork> _logger;
    private readonly KeyedLock _podLocks = new();
    private readonly Lock _returnsLock = new();
    private readonly HashSet<Task> _returns = [];
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly bool _veth;

    // Veth mode: removals of deleted pods' veths under way; each frees its TAP when done and completes _tapFreed.
    private int _removals;
    private TaskCompletionSource _tapFreed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public CniPodNetwork(AgentOptions options, TapPodInterface kernel, ManagerNetworkClient manager, IPodNetworkCidrSource cidrs, ILogger<CniPodNetwork> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _kernel = kernel;
        _manager = manager;
        _cidrs = cidrs;
        _logger = logger;
        _cache = new InterfaceCacheStore(options.CacheDir);
        _veth = string.Equals(options.TapAttach, TapAttachModes.Veth, StringComparison.OrdinalIgnoreCase);
    }

    public bool IsReady => _ready.Task.IsCompletedSuccessfully;

    internal TapInterfacePool Pool => _pool;

    /// <summary>Discovers the TAPs, rebuilds the pool from the cache, reclaims vanished pods and sets up the host interface.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var discovered = _kernel.Discover(_options.TapPrefix);
        var byName = discovered.ToDictionary(t => t.Name, StringComparer.Ordinal);
        foreach (var tap in discovered)
        {
            _pool.Add(tap, inUse: false);
        }

        var entries = _cache.PodEntries();
        var liveTaps = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in entries.Where(n => !n.EndsWith(InterfaceCacheStore.ReleasedSuffix, StringComparison.Ordinal)))
        {
            if (_cache.Read(name) is { } live)
            {
                liveTaps.Add(live.InterfaceName);
            }
        }

        foreach (var name in entries)
        {
            await RestoreAsync(name, byName, liveTaps, cancellationToken);
        }

        var host = HostInterfaceFromCache(byName);
        if (host is null)
        {
            if (!_pool.TryTake(out var taken))
            {
                throw new InvalidOperationException($"failed to discover host Tap interfaces with prefix {_options.TapPrefix}");
            }

            host = taken;
        }
        else
        {
            _pool.Add(host.Value, inUse: true);
        }

        var cidrs = await _cidrs.GetAsync(cancellationToken);
        _kernel.ConfigureHostInterface(host.Value.Name, _options.HostIfaceMTU, cidrs);
        var outcome = await _manager.SetupHostInterfaceAsync(host.Value, cancellationToken);
        if (!outcome.Succeeded)
        {
            throw new InvalidOperationException($"failed to SetupHostInterface error {outcome.Error}");
        }

        _cache.Write(InterfaceCacheStore.HostInterfaceName, new InterfaceInfoRecord { InterfaceName = host.Value.Name, MacAddress = host.Value.Mac.ToString() });
        CniLog.HostInterfaceReady(_logger, host.Value.Name, host.Value.Mac, _options.HostIfaceMTU, cidrs.Cluster, cidrs.Node);
        CniLog.Ready(_logger, _pool.Count, _options.TapPrefix, _pool.FreeCount, host.Value.Name);
        _ready.TrySetResult();
    }

    public async Task<PodAddOutcome> AddAsync(PodAddRequest pod, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pod);
        await _ready.Task.WaitAsync(cancellationToken);
        using var held = await _podLocks.AcquireAsync(pod.Key.CacheName, cancellationToken);
        TapInterface tap;
        ParkedTap? parked = null;
        var veth = _veth;
        var resumed = false;
        if (CachedTap(pod.Key) is { } existing)
        {
            if (await _kernel.IsInPlaceAsync(existing.Tap, pod, existing.Veth))
            {
                // A repeated Add (Calico retried): the interface is there; make sure the manager has it too.
                var again = await _manager.CreateNetworkAsync(pod, existing.Tap, CancellationToken.None);
                return again.Succeeded ? new PodAddOutcome(true, string.Empty, existing.Tap.Mac) : new PodAddOutcome(false, again.Error, default);
            }

            // The agent stopped after caching the pod but before its TAP was wholly in place: attach it now, the way it began.
            tap = existing.Tap;
            veth = existing.Veth;
            resumed = true;
        }
        else if (await TakeTapAsync(cancellationToken) is { Taken: true } free)
        {
            tap = free.Tap;
            parked = free.Parked;
        }
        else
        {
            return new PodAddOutcome(false, "no free resources left", default);
        }

        var error = await AttachAsync(pod, tap, parked, veth, resumed);
        if (error is null)
        {
            CniLog.Added(_logger, pod.Key, tap.Name, tap.Mac, pod.Addresses[0]);
            return new PodAddOutcome(true, string.Empty, tap.Mac);
        }

        CniLog.AddFailed(_logger, pod.Key, error);
        return new PodAddOutcome(false, error, default);
    }

    public async Task<ManagerOutcome> DeleteAsync(PodKey key, CancellationToken cancellationToken)
    {
        await _ready.Task.WaitAsync(cancellationToken);
        var held = await _podLocks.AcquireAsync(key.CacheName, cancellationToken);
        NetworkNamespaceHandle? pod = null;
        try
        {
            if (CachedTap(key) is not { } cached)
            {
                return ManagerOutcome.Ok; // Never added, or already deleted.
            }

            if (cached.Veth)
            {
                var vethLock = held;
                held = null; // DeleteVethPodAsync lets it go, or hands it to the detach
                return await DeleteVethPodAsync(key, cached.Tap, cached.Address, vethLock);
            }

            pod = OpenIfExists(key.NetnsPath);
            if (pod is null)
            {
                // The namespace went first (and the TAP with it): nothing to park.
                return await DeleteWithoutNamespaceAsync(key, cached.Tap, cached.Address);
            }

            // The address this agent gave the pod; a Go agent's entry has none, so it is read from the pod.
            var address = cached.Address ?? await _kernel.ReadPodAddressAsync(pod, key.InterfaceName);
            var (released, outcome) = await ReleaseEntriesAsync(key, cached.Tap, address);
            if (released is null)
            {
                return outcome; // the cache and the TAP stay: a retried Del (or the next start) finishes the job
            }

            // The pod's lock and namespace go with the TAP: a new Add of this pod waits until it has left.
            var lockHeld = held;
            _pool.Park(new ParkedTap(cached.Tap, pod, key.InterfaceName, () =>
            {
                DeleteEntry(released, key);
                lockHeld.Dispose();
            }));
            TrackReturn(ReturnParkedAsync(cached.Tap, key));
            pod = null;
            held = null;
            CniLog.Deleted(_logger, key, cached.Tap.Name);
            return ManagerOutcome.Ok;
        }
        finally
        {
            pod?.Dispose();
            held?.Dispose();
        }
    }

    /// <summary>
    /// A Del of a pod joined to its TAP by a veth: the manager's entries go, the cache entry is marked
    /// released and the Del answers; the redirect and the veth are removed right after, on a thread of
    /// their own, and then the TAP is free. The pod's lock is held until then, so a new Add of the pod waits for it.
    /// Its namespace may be gone already (the veth's pod end went with it).
    /// </summary>
    private async Task<ManagerOutcome> DeleteVethPodAsync(PodKey key, TapInterface tap, IPv4Address? address, KeyedLock.Holder held)
    {
        var handedOver = false;
        try
        {
            // This agent wrote the entry, with the address: there is nothing to read from the pod.
            var (released, outcome) = await ReleaseEntriesAsync(key, tap, address);
            if (released is null)
            {
                return outcome;
            }

            Interlocked.Increment(ref _removals);
            TrackReturn(DetachReleasedAsync(tap, key, released, held));
            handedOver = true;
            CniLog.Deleted(_logger, key, tap.Name);
            return ManagerOutcome.Ok;
        }
        finally
        {
            if (!handedOver)
            {
                held.Dispose();
            }
        }
    }

    /// <summary>
    /// A Del's first half, whatever joins the pod to its TAP: the manager's entries go (when the pod's
    /// address is known), then the cache entry is marked released. The released entry's name, or null and
    /// the outcome to answer with.
    /// </summary>
    private async Task<(string? Released, ManagerOutcome Outcome)> ReleaseEntriesAsync(PodKey key, TapInterface tap, IPv4Address? address)
    {
        if (address is { } ip)
        {
            var deleted = await _manager.DeleteNetworkAsync(key, tap, ip, CancellationToken.None);
            if (!deleted.Succeeded)
            {
                CniLog.DelFailed(_logger, key, deleted.Error);
                return (null, deleted);
            }
        }

        try
        {
            return (_cache.MarkReleased(key.CacheName), ManagerOutcome.Ok);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            CniLog.DelFailed(_logger, key, e.Message);
            return (null, new ManagerOutcome(false, e.Message, true));
        }
    }

    /// <summary>After a veth pod's Del answered: removes the redirect and the veth, drops the released entry, frees the TAP, lets the pod's lock go.</summary>
    private async Task DetachReleasedAsync(TapInterface tap, PodKey key, string released, KeyedLock.Holder held)
    {
        try
        {
            await _kernel.RemoveVethAsync(tap.Name);
            DeleteEntry(released, key);
            _pool.Release(tap.Name);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // It stays in use; the next start finds the released entry and finishes the job.
            CniLog.UndoFailed(_logger, key, e.Message);
        }
        finally
        {
            held.Dispose();
            Interlocked.Decrement(ref _removals);
            Interlocked.Exchange(ref _tapFreed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }
    }

    /// <summary>
    /// A free TAP (with a move, a parked one first). With veth, when none is free but deleted pods' veths
    /// are being removed, waits for their TAPs (up to 5 s): a burst of Dels and Adds on a full node then
    /// succeeds instead of failing for a TAP that is free milliseconds later.
    /// </summary>
    private async Task<(bool Taken, TapInterface Tap, ParkedTap? Parked)> TakeTapAsync(CancellationToken cancellationToken)
    {
        if (!_veth)
        {
            var taken = _pool.TryTake(out var tap, out var parked);
            return (taken, tap, parked);
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (true)
        {
            var freed = Volatile.Read(ref _tapFreed).Task;
            if (_pool.TryTake(out var tap))
            {
                return (true, tap, null);
            }

            var left = deadline - DateTime.UtcNow;
            if (Volatile.Read(ref _removals) == 0 || left <= TimeSpan.Zero)
            {
                return (false, default, null);
            }

            try
            {
                await freed.WaitAsync(left, cancellationToken);
            }
            catch (TimeoutException)
            {
                // Checked once more above, then given up.
            }
        }
    }

    /// <summary>Completes once every TAP of a deleted pod is home (or given up on); the host waits for it when stopping.</summary>
    public Task WhenReturnedAsync()
    {
        lock (_returnsLock)
        {
            return Task.WhenAll([.. _returns]);
        }
    }

    /// <summary>Moves the TAP in (or joins it to a veth in the pod), caches it and tells the manager; undoes all of it on any failure. Returns the error, or null.</summary>
    private async Task<string?> AttachAsync(PodAddRequest pod, TapInterface tap, ParkedTap? parked, bool veth, bool resumed)
    {
        var key = pod.Key;

        // Neither needs the other: the cache entry only has to be on disk before the manager is asked
        // (so that a crash leaves something to reclaim), and the manager may program the TAP's port
        // before the TAP is in the pod.
        var moved = veth ? TapPodInterface.AttachWithVethAsync(tap, pod, clean: !resumed) : _kernel.MoveIntoPodAsync(tap, pod, parked);
        var registered = RegisterAsync(pod, tap, veth);
        string? kernelError = null;
        try
        {
            await moved;
        }
        catch (IOException e)
        {
            kernelError = e.Message;
        }

        var (created, cached) = await registered;
        if (kernelError is null && created.Succeeded)
        {
            return null;
        }

        var error = kernelError ?? (cached ? "Failed to configure interface via infra-manager CNI service: " + created.Error : created.Error);
        if (created.Succeeded || (cached && !created.Delivered))
        {
            // A refusal left nothing there (and deleting by IP could hit another pod's entry); a success or a lost call might have.
            var undone = await _manager.DeleteNetworkAsync(key, tap, pod.Addresses[0].Address, CancellationToken.None);
            if (!undone.Succeeded)
            {
                CniLog.UndoFailed(_logger, key, undone.Error);
            }
        }

        try
        {
            await ReleaseTapAsync(tap, key.NetnsPath, key.InterfaceName, veth);
            if (cached)
            {
                _cache.Delete(key.CacheName);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            CniLog.UndoFailed(_logger, key, e.Message);
        }

        return error;
    }

    /// <summary>Writes the pod's cache entry (flushed to disk), then asks the manager. Cached is false when the write failed (the manager was not asked).</summary>
    private async Task<(ManagerOutcome Created, bool Cached)> RegisterAsync(PodAddRequest pod, TapInterface tap, bool veth)
    {
        var key = pod.Key;
        var record = new InterfaceInfoRecord
        {
            InterfaceName = tap.Name,
            MacAddress = tap.Mac.ToString(),
            Netns = key.NetnsPath,
            PodInterfaceName = key.InterfaceName,
            Ipv4Address = pod.Addresses[0].Address.ToString(),
            VethName = veth ? TapPodInterface.VethNameFor(tap.Name) : null,
        };
        try
        {
            // fsync blocks for milliseconds: not on a thread-pool thread, sixteen Adds at once would starve it.
            await Task.Factory.StartNew(() => _cache.Write(key.CacheName, record), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (new ManagerOutcome(false, e.Message, true), false);
        }

        // Not cancelled with Calico's call: once asked, the manager's answer decides what to undo.
        return (await _manager.CreateNetworkAsync(pod, tap, CancellationToken.None), true);
    }

    /// <summary>After a Del answered: when the kernel worker is idle, brings the parked TAP home unless an Add took it.</summary>
    private async Task ReturnParkedAsync(TapInterface tap, PodKey key)
    {
        try
        {
            var home = await _kernel.ReturnParkedAsync(() => _pool.TryUnpark(tap.Name, out var parked) ? parked : null);
            if (home is true)
            {
                _pool.Release(tap.Name);
            }
            else if (home is false)
            {
                _pool.Add(await _kernel.RecreateAsync(tap.Name), inUse: false);
                CniLog.Recreated(_logger, tap.Name);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // It stays in use; the next start finds it at home or makes it again.
            CniLog.UndoFailed(_logger, key, e.Message);
        }
    }

    /// <summary>A Del whose namespace is gone: the manager's entries go, the TAP is made again.</summary>
    private async Task<ManagerOutcome> DeleteWithoutNamespaceAsync(PodKey key, TapInterface tap, IPv4Address? address)
    {
        if (address is { } ip)
        {
            var deleted = await _manager.DeleteNetworkAsync(key, tap, ip, CancellationToken.None);
            if (!deleted.Succeeded)
            {
                CniLog.DelFailed(_logger, key, deleted.Error);
                return deleted;
            }
        }

        try
        {
            await ReleaseTapAsync(tap, key.NetnsPath, key.InterfaceName, veth: false);
            _cache.Delete(key.CacheName);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            CniLog.DelFailed(_logger, key, e.Message);
            return new ManagerOutcome(false, e.Message, true);
        }

        CniLog.Deleted(_logger, key, tap.Name);
        return ManagerOutcome.Ok;
    }

    private void DeleteEntry(string name, PodKey key)
    {
        try
        {
            _cache.Delete(name);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            CniLog.UndoFailed(_logger, key, e.Message);
        }
    }

    private void TrackReturn(Task task)
    {
        lock (_returnsLock)
        {
            _returns.Add(task);
        }

        _ = task.ContinueWith(
            done =>
            {
                lock (_returnsLock)
                {
                    _returns.Remove(done);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>Brings the TAP home (or makes it again if the kernel destroyed it with the namespace), or removes its veth, and frees it.</summary>
    private async Task ReleaseTapAsync(TapInterface tap, string netnsPath, string podInterfaceName, bool veth)
    {
        if (veth)
        {
            await _kernel.RemoveVethAsync(tap.Name);
            _pool.Release(tap.Name);
            return;
        }

        if (await _kernel.ReturnToHostAsync(tap, netnsPath, podInterfaceName))
        {
            _pool.Release(tap.Name);
            return;
        }

        var recreated = await _kernel.RecreateAsync(tap.Name);
        CniLog.Recreated(_logger, tap.Name);
        _pool.Add(recreated, inUse: false);
    }

    private static NetworkNamespaceHandle? OpenIfExists(string netnsPath)
    {
        try
        {
            return NetworkNamespaceHandle.Open(netnsPath);
        }
        catch (NetworkNamespaceNotFoundException)
        {
            return null;
        }
    }

    private (TapInterface Tap, IPv4Address? Address, bool Veth)? CachedTap(PodKey key)
    {
        if (_cache.Read(key.CacheName) is not { } record || !MacAddress.TryParse(record.MacAddress, out var mac) || record.InterfaceName.Length == 0)
        {
            return null;
        }

        IPv4Address? address = IPv4Address.TryParse(record.Ipv4Address, out var ip) ? ip : null;
        return (new TapInterface(record.InterfaceName, mac), address, record.VethName is not null);
    }

    private async Task RestoreAsync(string name, Dictionary<string, TapInterface> discovered, HashSet<string> liveTaps, CancellationToken cancellationToken)
    {
        var record = _cache.Read(name);
        if (record is null || !MacAddress.TryParse(record.MacAddress, out var mac) || !record.InterfaceName.StartsWith(_options.TapPrefix, StringComparison.Ordinal))
        {
            CniLog.BadCacheEntry(_logger, name);
            return;
        }

        var tap = new TapInterface(record.InterfaceName, mac);
        var netns = record.Netns;
        if (name.EndsWith(InterfaceCacheStore.ReleasedSuffix, StringComparison.Ordinal))
        {
            // Its Del was answered (the manager's entries are gone) before its TAP was home, or before
            // an Add that took the parked TAP dropped this entry.
            if (liveTaps.Contains(tap.Name))
            {
                _cache.Delete(name);
                return;
            }

            await RestoreReleasedAsync(name, tap, new PodKey(netns ?? string.Empty, record.PodInterfaceName ?? "eth0"), discovered, record.VethName is not null);
            return;
        }

        if (netns is null || TapPodInterface.NamespaceExists(netns))
        {
            // Still in its pod (a Go agent's entry has no netns path: trust it, as the Go agent did).
            _pool.Add(tap, inUse: true);
            return;
        }

        // The pod's namespace is gone: its entries go from the manager, its TAP back to the pool.
        var key = new PodKey(netns, record.PodInterfaceName ?? "eth0");
        if (IPv4Address.TryParse(record.Ipv4Address, out var ip))
        {
            var deleted = await _manager.DeleteNetworkAsync(key, tap, ip, cancellationToken);
            if (!deleted.Succeeded)
            {
                CniLog.UndoFailed(_logger, key, deleted.Error);
                _pool.Add(tap, inUse: true);
                return;
            }
        }

        if (record.VethName is not null)
        {
            await _kernel.RemoveVethAsync(tap.Name);
        }

        if (discovered.TryGetValue(tap.Name, out var home))
        {
            _pool.Add(home, inUse: false);
        }
        else
        {
            _pool.Add(_kernel.Recreate(tap.Name), inUse: false);
            CniLog.Recreated(_logger, tap.Name);
        }

        _cache.Delete(name);
        CniLog.Reclaimed(_logger, tap.Name, key);
    }

    private async Task RestoreReleasedAsync(string name, TapInterface tap, PodKey key, Dictionary<string, TapInterface> discovered, bool veth)
    {
        if (veth)
        {
            // Its TAP never left the host; the redirect and the veth may still be there.
            await _kernel.RemoveVethAsync(tap.Name);
        }

        if (discovered.TryGetValue(tap.Name, out var home))
        {
            _pool.Add(home, inUse: false);
        }
        else if (key.NetnsPath.Length > 0 && await _kernel.ReturnToHostAsync(tap, key.NetnsPath, key.InterfaceName))
        {
            _pool.Add(_kernel.FindInHost(tap.Name) ?? tap, inUse: false);
        }
        else
        {
            _pool.Add(await _kernel.RecreateAsync(tap.Name), inUse: false);
            CniLog.Recreated(_logger, tap.Name);
        }

        _cache.Delete(name);
        CniLog.Reclaimed(_logger, tap.Name, key);
    }

    private TapInterface? HostInterfaceFromCache(Dictionary<string, TapInterface> discovered) =>
        _cache.Read(InterfaceCacheStore.HostInterfaceName) is { } record && discovered.TryGetValue(record.InterfaceName, out var tap) ? tap : null;

}
