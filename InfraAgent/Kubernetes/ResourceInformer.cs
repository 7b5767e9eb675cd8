using System.Collections.Concurrent;
using k8s;
using k8s.Models;

namespace InfraAgent.Kubernetes;

/// <summary>
/// List + watch of one resource kind with a local cache, as client-go's reflector does it: ready after
/// the first list; watch from the list's resourceVersion with bookmarks; on 410 Gone list again and
/// turn objects that vanished meanwhile into deletes; on errors re-watch from the last version seen,
/// with exponential back-off.
/// </summary>
internal sealed class ResourceInformer<TResource, TList>
    where TResource : class, IKubernetesObject<V1ObjectMeta>
    where TList : class, IKubernetesObject<V1ListMeta>, IItems<TResource>
{
    /// <summary>Lists every object of the kind.</summary>
    public delegate Task<TList> ListRequest(CancellationToken cancellationToken);

    /// <summary>Watches from resourceVersion with bookmarks; watch errors (410 Gone among them) go to onError.</summary>
    public delegate IAsyncEnumerable<(WatchEventType Type, TResource Item)> WatchRequest(string resourceVersion, Action<Exception> onError, CancellationToken cancellationToken);

    private static readonly TimeSpan s_initialBackoff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan s_maxBackoff = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, TResource> _cache = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<Action<WatchEventType, TResource>> _handlers = [];
    private readonly string _resource;
    private readonly ListRequest _list;
    private readonly WatchRequest _watch;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public ResourceInformer(string resource, ListRequest list, WatchRequest watch, TimeProvider time, ILogger logger)
    {
        _resource = resource;
        _list = list;
        _watch = watch;
        _time = time;
        _logger = logger;
    }

    /// <summary>Completes after the first successful list.</summary>
    public Task Ready => _ready.Task;

    public ICollection<TResource> Items => _cache.Values;

    public static string KeyOf(TResource item)
    {
        ArgumentNullException.ThrowIfNull(item);
        return item.Metadata.NamespaceProperty is { Length: > 0 } ns ? ns + "/" + item.Metadata.Name : item.Metadata.Name;
    }

    public TResource? Get(string key) => _cache.GetValueOrDefault(key);

    /// <summary>Called on the informer's loop for every change (Added, Modified, Deleted), after the cache took it.</summary>
    public void Subscribe(Action<WatchEventType, TResource> handler) => _handlers.Add(handler);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        string? resourceVersion = null;
        var backoff = s_initialBackoff;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (resourceVersion is null)
                {
                    resourceVersion = await ListAsync(cancellationToken);
                    _ready.TrySetResult();
                    backoff = s_initialBackoff;
                }

                var expired = false;
                Exception? failure = null;
                var watch = _watch(
                    resourceVersion,
                    e =>
                    {
                        if (e is KubernetesException { Status.Code: 410 })
                        {
                            expired = true;
                        }
                        else
                        {
                            failure ??= e;
                        }
                    },
                    cancellationToken);
                await foreach (var (type, item) in watch)
                {
                    resourceVersion = item.Metadata?.ResourceVersion ?? resourceVersion;
                    if (type is WatchEventType.Added or WatchEventType.Modified or WatchEventType.Deleted)
                    {
                        Apply(type, item);
                        backoff = s_initialBackoff;
                    }
                }

                if (expired)
                {
                    KubernetesLog.WatchExpired(_logger, _resource, resourceVersion);
                    resourceVersion = null;
                    continue;
                }

                if (failure is not null)
                {
                    throw new IOException($"{_resource} watch failed: {failure.Message}", failure);
                }
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                // Top of the loop: any failure is a reason to back off and try again, never to stop watching.
                KubernetesLog.WatchFailed(_logger, e, _resource, backoff);
                await Task.Delay(backoff, _time, cancellationToken);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, s_maxBackoff.Ticks));
            }
        }
    }

    private async Task<string> ListAsync(CancellationToken cancellationToken)
    {
        var list = await _list(cancellationToken);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in list.Items)
        {
            var key = KeyOf(item);
            seen.Add(key);
            if (!_cache.TryGetValue(key, out var old))
            {
                Apply(WatchEventType.Added, item);
            }
            else if (old.Metadata.ResourceVersion != item.Metadata.ResourceVersion)
            {
                Apply(WatchEventType.Modified, item);
            }
        }

        // Objects deleted while we were not watching: the re-list is the only place to notice.
        foreach (var (key, old) in _cache)
        {
            if (!seen.Contains(key))
            {
                Apply(WatchEventType.Deleted, old);
            }
        }

        var resourceVersion = list.Metadata.ResourceVersion;
        KubernetesLog.Listed(_logger, _resource, list.Items.Count, resourceVersion);
        return resourceVersion;
    }

    private void Apply(WatchEventType type, TResource item)
    {
        var key = KeyOf(item);
        if (type == WatchEventType.Deleted)
        {
            _cache.TryRemove(key, out _);
        }
        else
        {
            _cache[key] = item;
        }

        KubernetesLog.Event(_logger, _resource, type.ToString(), key, item.Metadata.ResourceVersion);
        foreach (var handler in _handlers)
        {
            handler(type, item);
        }
    }
}
