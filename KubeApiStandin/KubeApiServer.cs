using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KubeApiStandin;

/// <summary>
/// The Kubernetes API stand-in: real Kestrel (127.0.0.1:0 in tests) speaking list and watch for Services,
/// Endpoints, EndpointSlices, Nodes and Pods, with a global resourceVersion, replay, bookmarks and
/// 410 Gone, plus the controls tests need (apply, delete, expire, drop, request counters).
/// </summary>
public sealed class KubeApiServer : IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly Dictionary<ResourceKind, Dictionary<string, StoredObject>> _objects = ResourceKind.All.ToDictionary(k => k, _ => new Dictionary<string, StoredObject>(StringComparer.Ordinal));
    private readonly List<(string Type, StoredObject Item)> _history = [];
    private readonly List<Watch> _watches = [];
    private readonly ConcurrentDictionary<string, int> _requests = new(StringComparer.Ordinal);
    private readonly WebApplication _app;
    private long _resourceVersion = 100;
    private long _oldestResourceVersion;

    private KubeApiServer(WebApplication app) => _app = app;

    public Uri Uri { get; private set; } = new("http://127.0.0.1");

    /// <summary>Kinds answered with 404, as an API server that does not have them (EndpointSlices before Kubernetes 1.21).</summary>
    public IReadOnlySet<ResourceKind> Unserved { get; set; } = new HashSet<ResourceKind>();

    /// <summary>How often an open watch with allowWatchBookmarks=true gets a BOOKMARK.</summary>
    public TimeSpan BookmarkInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    public long ResourceVersion
    {
        get
        {
            lock (_gate)
            {
                return _resourceVersion;
            }
        }
    }

    /// <summary>On 127.0.0.1 and a free port (<see cref="Uri"/> says which).</summary>
    public static Task<KubeApiServer> StartAsync(CancellationToken cancellationToken = default) =>
        StartAsync(new IPEndPoint(IPAddress.Loopback, 0), cancellationToken);

    public static async Task<KubeApiServer> StartAsync(IPEndPoint listen, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(listen);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(listen));
        var app = builder.Build();
        var server = new KubeApiServer(app);
        app.MapGet("/api/v1/{plural}", (HttpContext c, string plural) => server.HandleAsync(c, "v1", null, plural));
        app.MapGet("/api/v1/namespaces/{ns}/{plural}", (HttpContext c, string ns, string plural) => server.HandleAsync(c, "v1", ns, plural));
        app.MapGet("/apis/{group}/{version}/{plural}", (HttpContext c, string group, string version, string plural) => server.HandleAsync(c, group + "/" + version, null, plural));
        app.MapGet("/apis/{group}/{version}/namespaces/{ns}/{plural}", (HttpContext c, string group, string version, string ns, string plural) => server.HandleAsync(c, group + "/" + version, ns, plural));
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First(); // Kestrel always has the addresses feature
        server.Uri = new Uri(address);
        return server;
    }

    /// <summary>A client of this server, as the agent builds one.</summary>
    public IKubernetes CreateClient() => new Kubernetes(new KubernetesClientConfiguration { Host = Uri.ToString() });

    /// <summary>A kubeconfig file content pointing at this server (KubernetesClient wants some credential: a token the server ignores).</summary>
    public string Kubeconfig() => $"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: standin
          cluster:
            server: {Uri}
        contexts:
        - name: standin
          context:
            cluster: standin
            user: standin
        current-context: standin
        users:
        - name: standin
          user:
            token: standin
        """;

    /// <summary>Creates or replaces an object (ADDED or MODIFIED to every open watch); returns its new resourceVersion.</summary>
    public long Apply<T>(T item)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(item);
        var kind = KindOf(item.Kind);
        var json = JsonNode.Parse(KubernetesJson.Serialize(item))!.AsObject(); // a serialised object is a JSON object
        json["kind"] = kind.Kind;
        json["apiVersion"] = kind.GroupVersion;
        var ns = kind.Namespaced ? item.Metadata.NamespaceProperty ?? "default" : null;
        lock (_gate)
        {
            var rv = ++_resourceVersion;
            var metadata = json["metadata"]!.AsObject(); // Apply requires metadata
            metadata["resourceVersion"] = rv.ToString(CultureInfo.InvariantCulture);
            if (ns is not null)
            {
                metadata["namespace"] = ns;
            }

            var stored = new StoredObject(kind, ns, item.Metadata.Name, rv, json);
            var type = _objects[kind].ContainsKey(stored.Key) ? "MODIFIED" : "ADDED";
            if (type == "ADDED")
            {
                metadata["uid"] ??= Guid.NewGuid().ToString();
                metadata["creationTimestamp"] ??= DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
            }

            _objects[kind][stored.Key] = stored;
            Publish(type, stored);
            return rv;
        }
    }

    /// <summary>Deletes an object (DELETED to every open watch); false when it did not exist.</summary>
    public bool Delete(ResourceKind kind, string? ns, string name)
    {
        ArgumentNullException.ThrowIfNull(kind);
        var key = kind.Namespaced ? (ns ?? "default") + "/" + name : name;
        lock (_gate)
        {
            if (!_objects[kind].Remove(key, out var old))
            {
                return false;
            }

            var rv = ++_resourceVersion;
            var json = old.Json.DeepClone().AsObject();
            json["metadata"]!["resourceVersion"] = rv.ToString(CultureInfo.InvariantCulture);
            Publish("DELETED", old with { ResourceVersion = rv, Json = json });
            return true;
        }
    }

    public bool Delete<T>(T item)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(item);
        return Delete(KindOf(item.Kind), item.Metadata.NamespaceProperty, item.Metadata.Name);
    }

    /// <summary>Compacts the history: every open watch gets a 410 Expired ERROR and closes, and watching from any version older than now is 410.</summary>
    public void ExpireWatches()
    {
        lock (_gate)
        {
            _oldestResourceVersion = _resourceVersion;
            _history.Clear();
            foreach (var watch in _watches)
            {
                watch.Events.Writer.TryWrite(ExpiredEvent(watch.Since));
                watch.Events.Writer.TryComplete();
            }
        }
    }

    /// <summary>Aborts every open watch connection (no final event), as a broken TCP connection would.</summary>
    public void DropConnections()
    {
        lock (_gate)
        {
            foreach (var watch in _watches)
            {
                watch.Context.Abort();
            }
        }
    }

    /// <summary>How many list (or watch) requests a kind received.</summary>
    public int Lists(ResourceKind kind) => _requests.GetValueOrDefault("list:" + kind?.Plural);

    public int Watches(ResourceKind kind) => _requests.GetValueOrDefault("watch:" + kind?.Plural);

    public int OpenWatches(ResourceKind kind)
    {
        lock (_gate)
        {
            return _watches.Count(w => w.Kind == kind);
        }
    }

    public async ValueTask DisposeAsync()
    {
        DropConnections();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static ResourceKind KindOf(string? kind) =>
        ResourceKind.All.FirstOrDefault(k => string.Equals(k.Kind, kind, StringComparison.Ordinal))
        ?? throw new ArgumentException($"kind '{kind}' is not served (set Kind on the object: Service, Endpoints, EndpointSlice, Node, Pod)", nameof(kind));

    private void Publish(string type, StoredObject item)
    {
        _history.Add((type, item));
        foreach (var watch in _watches)
        {
            if (watch.Matches(item))
            {
                watch.Events.Writer.TryWrite(Event(type, item.Json));
            }
        }
    }

    private static string Event(string type, JsonNode json) =>
        new JsonObject { ["type"] = type, ["object"] = json.DeepClone() }.ToJsonString() + "\n";

    // KubernetesJson cannot write a V1Status (its converter only reads), so the Status is spelled out as the API server sends it.
    private static string ExpiredEvent(long since) => Event("ERROR", new JsonObject
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = "Failure",
        ["message"] = $"too old resource version: {since}",
        ["reason"] = "Expired",
        ["code"] = 410,
    });

    private async Task HandleAsync(HttpContext context, string groupVersion, string? ns, string plural)
    {
        var kind = ResourceKind.All.FirstOrDefault(k => k.Plural == plural && k.GroupVersion == groupVersion);
        if (kind is null || (ns is not null && !kind.Namespaced) || Unserved.Contains(kind))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var query = context.Request.Query;
        var labels = Selector.Parse(query["labelSelector"], fields: false);
        var fields = Selector.Parse(query["fieldSelector"], fields: true);
        bool Matches(StoredObject item) => item.Kind == kind && (ns is null || item.Namespace == ns) && labels.Matches(item) && fields.Matches(item);

        if (string.Equals(query["watch"], "true", StringComparison.OrdinalIgnoreCase) || query["watch"] == "1")
        {
            _requests.AddOrUpdate("watch:" + plural, 1, (_, n) => n + 1);
            await WatchAsync(context, kind, Matches, query);
            return;
        }

        _requests.AddOrUpdate("list:" + plural, 1, (_, n) => n + 1);
        JsonArray items;
        long rv;
        lock (_gate)
        {
            rv = _resourceVersion;
            items = [.. _objects[kind].Values.Where(Matches).OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => o.Json.DeepClone())];
        }

        var list = new JsonObject
        {
            ["kind"] = kind.Kind + "List",
            ["apiVersion"] = kind.GroupVersion,
            ["metadata"] = new JsonObject { ["resourceVersion"] = rv.ToString(CultureInfo.InvariantCulture) },
            ["items"] = items,
        };
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(list.ToJsonString(), context.RequestAborted);
    }

    private async Task WatchAsync(HttpContext context, ResourceKind kind, Func<StoredObject, bool> matches, IQueryCollection query)
    {
        var bookmarks = string.Equals(query["allowWatchBookmarks"], "true", StringComparison.OrdinalIgnoreCase);
        var timeout = int.TryParse(query["timeoutSeconds"], CultureInfo.InvariantCulture, out var seconds) && seconds > 0 ? TimeSpan.FromSeconds(seconds) : Timeout.InfiniteTimeSpan;
        long.TryParse(query["resourceVersion"], CultureInfo.InvariantCulture, out var since);
        var watch = new Watch(kind, context, matches, since);
        lock (_gate)
        {
            if (since == 0)
            {
                // No version (or "0"): the current state as ADDED events, then changes (Kubernetes semantics).
                foreach (var item in _objects[kind].Values.Where(matches).OrderBy(o => o.ResourceVersion))
                {
                    watch.Events.Writer.TryWrite(Event("ADDED", item.Json));
                }
            }
            else if (since < _oldestResourceVersion)
            {
                watch.Events.Writer.TryWrite(ExpiredEvent(since));
                watch.Events.Writer.TryComplete();
            }
            else
            {
                foreach (var (type, item) in _history.Where(h => h.Item.ResourceVersion > since && matches(h.Item)))
                {
                    watch.Events.Writer.TryWrite(Event(type, item.Json));
                }
            }

            _watches.Add(watch);
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        stop.CancelAfter(timeout);
        try
        {
            await context.Response.StartAsync(stop.Token);
            var reader = watch.Events.Reader;
            while (!stop.IsCancellationRequested)
            {
                using var tick = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
                if (bookmarks)
                {
                    tick.CancelAfter(BookmarkInterval);
                }

                string line;
                try
                {
                    if (!await reader.WaitToReadAsync(tick.Token))
                    {
                        break;
                    }

                    line = await reader.ReadAsync(tick.Token);
                }
                catch (OperationCanceledException) when (!stop.IsCancellationRequested)
                {
                    line = Event("BOOKMARK", new JsonObject
                    {
                        ["kind"] = kind.Kind,
                        ["apiVersion"] = kind.GroupVersion,
                        ["metadata"] = new JsonObject { ["resourceVersion"] = ResourceVersion.ToString(CultureInfo.InvariantCulture) },
                    });
                }

                await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(line), stop.Token);
                await context.Response.Body.FlushAsync(stop.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // timeoutSeconds elapsed or the client went away: the watch simply ends.
        }
        finally
        {
            lock (_gate)
            {
                _watches.Remove(watch);
            }
        }
    }

    private sealed class Watch(ResourceKind kind, HttpContext context, Func<StoredObject, bool> matches, long since)
    {
        public ResourceKind Kind { get; } = kind;

        public HttpContext Context { get; } = context;

        public long Since { get; } = since;

        public Channel<string> Events { get; } = Channel.CreateUnbounded<string>();

        public bool Matches(StoredObject item) => matches(item);
    }
}
