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
/// </summary>
internal sealed class CniPodNetwork : IDisposable
{
    private readonly AgentOptions _options;
    private readonly TapPodInterface _kernel;
    private readonly TapInterfacePool _pool = new();
    private readonly InterfaceCacheStore _cache;
    private readonly ManagerNetworkClient _manager;
    private readonly IPodNetworkCidrSource _cidrs;
    private readonly ILogger<CniPodNetwork> _logger;
    private readonly SemaphoreSlim[] _podLocks = [.. Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1))];
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public CniPodNetwork(AgentOptions options, TapPodInterface kernel, ManagerNetworkClient manager, IPodNetworkCidrSource cidrs, ILogger<CniPodNetwork> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _kernel = kernel;
        _manager = manager;
        _cidrs = cidrs;
        _logger = logger;
        _cache = new InterfaceCacheStore(options.CacheDir);
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

        foreach (var name in _cache.PodEntries())
        {
            await RestoreAsync(name, byName, cancellationToken);
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
        var podLock = LockOf(pod.Key);
        await podLock.WaitAsync(cancellationToken);
        try
        {
            if (CachedTap(pod.Key) is { } existing)
            {
                // A repeated Add (Calico retried): the interface is there; make sure the manager has it too.
                var again = await _manager.CreateNetworkAsync(pod, existing.Tap, CancellationToken.None);
                return again.Succeeded ? new PodAddOutcome(true, string.Empty, existing.Tap.Mac) : new PodAddOutcome(false, again.Error, default);
            }

            if (!_pool.TryTake(out var tap))
            {
                return new PodAddOutcome(false, "no free resources left", default);
            }

            var error = await AttachAsync(pod, tap);
            if (error is null)
            {
                CniLog.Added(_logger, pod.Key, tap.Name, tap.Mac, pod.Addresses[0]);
                return new PodAddOutcome(true, string.Empty, tap.Mac);
            }

            CniLog.AddFailed(_logger, pod.Key, error);
            return new PodAddOutcome(false, error, default);
        }
        finally
        {
            podLock.Release();
        }
    }

    public async Task<ManagerOutcome> DeleteAsync(PodKey key, CancellationToken cancellationToken)
    {
        await _ready.Task.WaitAsync(cancellationToken);
        var podLock = LockOf(key);
        await podLock.WaitAsync(cancellationToken);
        try
        {
            if (CachedTap(key) is not { } cached)
            {
                return ManagerOutcome.Ok; // Never added, or already deleted.
            }

            var address = TapPodInterface.ReadPodAddress(key.NetnsPath, key.InterfaceName) ?? cached.Address;
            if (address is { } ip)
            {
                var deleted = await _manager.DeleteNetworkAsync(key, cached.Tap, ip, CancellationToken.None);
                if (!deleted.Succeeded)
                {
                    // Keep the cache and the TAP: a retried Del (or the next start) finishes the job.
                    CniLog.DelFailed(_logger, key, deleted.Error);
                    return deleted;
                }
            }

            try
            {
                ReleaseTap(cached.Tap, key);
            }
            catch (IOException e)
            {
                CniLog.DelFailed(_logger, key, e.Message);
                return new ManagerOutcome(false, e.Message, true);
            }

            _cache.Delete(key.CacheName);
            CniLog.Deleted(_logger, key, cached.Tap.Name);
            return ManagerOutcome.Ok;
        }
        finally
        {
            podLock.Release();
        }
    }

    public void Dispose()
    {
        foreach (var podLock in _podLocks)
        {
            podLock.Dispose();
        }
    }

    /// <summary>Moves the TAP in, caches it and tells the manager; undoes all of it on any failure. Returns the error, or null.</summary>
    private async Task<string?> AttachAsync(PodAddRequest pod, TapInterface tap)
    {
        var key = pod.Key;
        try
        {
            _kernel.MoveIntoPod(tap, pod, CurrentMtu(tap));
        }
        catch (IOException e)
        {
            _pool.Release(tap.Name);
            return e.Message;
        }

        string error;
        var managerMayHaveIt = false;
        try
        {
            _cache.Write(key.CacheName, new InterfaceInfoRecord
            {
                InterfaceName = tap.Name,
                MacAddress = tap.Mac.ToString(),
                Netns = key.NetnsPath,
                PodInterfaceName = key.InterfaceName,
                Ipv4Address = pod.Addresses[0].Address.ToString(),
            });

            // Not cancelled with Calico's call: once asked, the manager's answer decides what to undo.
            var created = await _manager.CreateNetworkAsync(pod, tap, CancellationToken.None);
            if (created.Succeeded)
            {
                return null;
            }

            error = "Failed to configure interface via infra-manager CNI service: " + created.Error;
            managerMayHaveIt = !created.Delivered;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error = e.Message;
        }

        if (managerMayHaveIt)
        {
            // A refusal left nothing there (and deleting by IP could hit another pod's entry); a lost call might have.
            var undone = await _manager.DeleteNetworkAsync(key, tap, pod.Addresses[0].Address, CancellationToken.None);
            if (!undone.Succeeded)
            {
                CniLog.UndoFailed(_logger, key, undone.Error);
            }
        }

        try
        {
            ReleaseTap(tap, key);
            _cache.Delete(key.CacheName);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            CniLog.UndoFailed(_logger, key, e.Message);
        }

        return error;
    }

    private int CurrentMtu(TapInterface tap) => _kernel.MtuOf(tap.Name) ?? _options.HostIfaceMTU;

    /// <summary>Brings the TAP home (or makes it again if the kernel destroyed it with the namespace) and frees it.</summary>
    private void ReleaseTap(TapInterface tap, PodKey key)
    {
        if (_kernel.ReturnToHost(tap, key.NetnsPath, key.InterfaceName))
        {
            _pool.Release(tap.Name);
            return;
        }

        var recreated = _kernel.Recreate(tap.Name);
        CniLog.Recreated(_logger, tap.Name);
        _pool.Add(recreated, inUse: false);
    }

    private (TapInterface Tap, IPv4Address? Address)? CachedTap(PodKey key)
    {
        if (_cache.Read(key.CacheName) is not { } record || !MacAddress.TryParse(record.MacAddress, out var mac) || record.InterfaceName.Length == 0)
        {
            return null;
        }

        IPv4Address? address = IPv4Address.TryParse(record.Ipv4Address, out var ip) ? ip : null;
        return (new TapInterface(record.InterfaceName, mac), address);
    }

    private async Task RestoreAsync(string name, Dictionary<string, TapInterface> discovered, CancellationToken cancellationToken)
    {
        var record = _cache.Read(name);
        if (record is null || !MacAddress.TryParse(record.MacAddress, out var mac) || !record.InterfaceName.StartsWith(_options.TapPrefix, StringComparison.Ordinal))
        {
            CniLog.BadCacheEntry(_logger, name);
            return;
        }

        var tap = new TapInterface(record.InterfaceName, mac);
        var netns = record.Netns;
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

    private TapInterface? HostInterfaceFromCache(Dictionary<string, TapInterface> discovered) =>
        _cache.Read(InterfaceCacheStore.HostInterfaceName) is { } record && discovered.TryGetValue(record.InterfaceName, out var tap) ? tap : null;

    private SemaphoreSlim LockOf(PodKey key) => _podLocks[(int)((uint)StringComparer.Ordinal.GetHashCode(key.CacheName) % (uint)_podLocks.Length)];
}
