using System.Runtime.InteropServices;
using System.Threading.Channels;

namespace KubeApiStandin;

/// <summary>
/// Keeps the stand-in's objects equal to what its manifest files say, as <c>kubectl apply --prune</c>
/// would: new objects are ADDED, changed ones MODIFIED, ones gone from the files DELETED, and unchanged
/// ones untouched (no event). Re-reads the files when they change and on SIGHUP; a file that does not
/// parse leaves every object as it was.
/// </summary>
internal sealed class ManifestController : IDisposable
{
    private static readonly TimeSpan s_settle = TimeSpan.FromMilliseconds(200);

    private readonly KubeApiServer _server;
    private readonly IReadOnlyList<string> _files;
    private readonly TextWriter _output;
    private readonly TimeProvider _time;
    private readonly Channel<string> _reasons = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly List<IDisposable> _triggers = [];

    // Owned by Reload's caller: the startup call, then the loop in RunAsync only.
    private Dictionary<string, ManifestObject> _applied = new(StringComparer.Ordinal);

    public ManifestController(KubeApiServer server, IReadOnlyList<string> files, TextWriter output, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(files);
        _server = server;
        _files = [.. files.Select(Path.GetFullPath)];
        _output = output;
        _time = time;
    }

    /// <summary>Reads every file and applies the difference; false (and nothing applied) when one cannot be read.</summary>
    public bool Reload()
    {
        var desired = new Dictionary<string, ManifestObject>(StringComparer.Ordinal);
        try
        {
            foreach (var file in _files)
            {
                foreach (var item in Manifest.Parse(File.ReadAllText(file), file))
                {
                    if (!desired.TryAdd(item.Key, item))
                    {
                        throw new InvalidDataException($"{file}: {item.Key} is in another file too");
                    }
                }
            }
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            _output.WriteLine($"kube-standin: {e.Message}; the objects stay as they were");
            return false;
        }

        var changes = 0;
        // Nodes and Services before the EndpointSlices that name them; deletions the other way round.
        foreach (var item in desired.Values.OrderBy(o => Rank(o.Kind)))
        {
            if (!_applied.TryGetValue(item.Key, out var old) || old.Json != item.Json)
            {
                var rv = _server.Apply(item.Item);
                _output.WriteLine($"kube-standin: {(old is null ? "ADDED" : "MODIFIED")} {item.Key} (resourceVersion {rv})");
                changes++;
            }
        }

        foreach (var gone in _applied.Values.Where(o => !desired.ContainsKey(o.Key)).OrderByDescending(o => Rank(o.Kind)))
        {
            _server.Delete(gone.Kind, gone.Namespace, gone.Name);
            _output.WriteLine($"kube-standin: DELETED {gone.Key}");
            changes++;
        }

        _applied = desired;
        _output.WriteLine($"kube-standin: {desired.Count} objects from {string.Join(", ", _files)}; {changes} changed");
        return true;
    }

    /// <summary>Reloads whenever a file changes (editors that write a new file and rename it included) or SIGHUP arrives.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        _triggers.Add(PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            _reasons.Writer.TryWrite("SIGHUP");
        }));
        foreach (var directory in _files.GroupBy(Path.GetDirectoryName))
        {
            var names = directory.Select(Path.GetFileName).ToHashSet(StringComparer.Ordinal);
            var watcher = new FileSystemWatcher(directory.Key!) // a full path always has a directory
            {
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size,
            };
            FileSystemEventHandler changed = (_, e) =>
            {
                if (names.Contains(e.Name ?? string.Empty))
                {
                    _reasons.Writer.TryWrite(e.FullPath + " changed");
                }
            };
            watcher.Changed += changed;
            watcher.Created += changed;
            watcher.Renamed += (_, e) => changed(watcher, e);
            watcher.EnableRaisingEvents = true;
            _triggers.Add(watcher);
        }

        var reader = _reasons.Reader;
        while (await reader.WaitToReadAsync(cancellationToken))
        {
            // An editor's save is several events: let them settle, then read once.
            await Task.Delay(s_settle, _time, cancellationToken);
            var reasons = new HashSet<string>(StringComparer.Ordinal);
            while (reader.TryRead(out var reason))
            {
                reasons.Add(reason);
            }

            _output.WriteLine($"kube-standin: reloading ({string.Join(", ", reasons)})");
            Reload();
        }
    }

    public void Dispose()
    {
        foreach (var trigger in _triggers)
        {
            trigger.Dispose();
        }
    }

    private static int Rank(ResourceKind kind) => kind == ResourceKind.EndpointSlices || kind == ResourceKind.Endpoints ? 1 : 0;
}
