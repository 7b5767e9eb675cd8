using System.Globalization;
using Packets;

namespace InfraAgent.Services;

/// <summary>
/// The service ports this agent asked the manager to program and has not seen removed, kept in a file
/// beside the allocation cache (one <c>ip:port/PROTO</c> per line). The manager keeps what it programmed
/// across restarts, but it cannot be asked what it holds; a Service deleted while the agent was down
/// would stay balanced there for good. A key is written before its first NatTranslationAdd is sent, so
/// the file always covers what the manager may hold; at start the recorded keys no Service wants any
/// more are deleted at the manager.
/// </summary>
internal sealed class ServicePortRecord
{
    private readonly HashSet<ServiceKey> _keys = [];
    private readonly List<string> _unreadable = [];
    private bool _unsaved;

    /// <summary>Reads the file when there is one; lines that are not a service port are dropped (and said so in <see cref="Unreadable"/>).</summary>
    public ServicePortRecord(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = path;
        if (!File.Exists(path))
        {
            return;
        }

        foreach (var line in File.ReadAllLines(path).Where(l => l.Length > 0))
        {
            if (TryParse(line, out var key))
            {
                _keys.Add(key);
            }
            else
            {
                _unreadable.Add(line);
            }
        }
    }

    public string Path { get; }

    /// <summary>The keys read from the file or added since.</summary>
    public IReadOnlyCollection<ServiceKey> Keys => _keys;

    /// <summary>Lines of the file that were not a service port (logged once at start).</summary>
    public IReadOnlyList<string> Unreadable => _unreadable;

    /// <summary>Records a key the manager is about to be sent; true when it is new (then <see cref="Save"/> before sending).</summary>
    public bool Add(ServiceKey key)
    {
        var added = _keys.Add(key);
        _unsaved |= added;
        return added;
    }

    /// <summary>Forgets a key the manager confirmed deleted (written with the next <see cref="Save"/>).</summary>
    public void Remove(ServiceKey key) => _unsaved |= _keys.Remove(key);

    /// <summary>Writes the keys when they changed: a whole new file renamed over the old one.</summary>
    public void Save()
    {
        if (!_unsaved)
        {
            return;
        }

        StateFile.WriteLines(Path, _keys.Order().Select(k => k.ToString()));
        _unsaved = false;
    }

    public static bool TryParse(string text, out ServiceKey key)
    {
        ArgumentNullException.ThrowIfNull(text);
        key = default;
        var slash = text.LastIndexOf('/');
        var colon = text.LastIndexOf(':', slash < 0 ? text.Length - 1 : slash);
        if (slash < 0 || colon < 0
            || !IPv4Address.TryParse(text.AsSpan(0, colon), out var ip)
            || !ushort.TryParse(text.AsSpan(colon + 1, slash - colon - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port == 0)
        {
            return false;
        }

        ServiceProtocol? protocol = text[(slash + 1)..] switch
        {
            "TCP" => ServiceProtocol.Tcp,
            "UDP" => ServiceProtocol.Udp,
            _ => null,
        };
        if (protocol is not { } p)
        {
            return false;
        }

        key = new ServiceKey(ip, p, port);
        return true;
    }
}
