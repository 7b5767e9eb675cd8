using System.Collections.Concurrent;

namespace SoftTarget.Ports;

/// <summary>
/// The target's ports: TAP names and the P4 port ids they were given, in creation order from 0, as
/// infrap4d numbers the ports gnmi-ctl creates (P4TAP_0 is port 0, the ARP proxy's).
/// </summary>
internal sealed class PortRegistry
{
    private readonly ConcurrentDictionary<string, uint> _ids = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private uint _next;

    public event Action<string, uint>? PortAdded;

    public bool TryGetId(string name, out uint id) => _ids.TryGetValue(name, out id);

    public IReadOnlyDictionary<string, uint> Ports => _ids;

    /// <summary>Adds the port (or returns its id if it exists).</summary>
    public uint Add(string name)
    {
        lock (_gate)
        {
            if (_ids.TryGetValue(name, out var existing))
            {
                return existing;
            }

            var id = _next++;
            _ids[name] = id;
            PortAdded?.Invoke(name, id);
            return id;
        }
    }
}
