namespace InfraAgent.Cni.PodInterfaces;

/// <summary>
/// The TAP ports pods may get (reference-behaviour.md 6.3): <see cref="TryTake(out TapInterface)"/>
/// hands out the first free one in discovery order and never the same one twice until it is released.
/// A deleted pod's TAP may wait in its old namespace (<see cref="Park"/>): it stays in use until an
/// Add takes it (before any TAP at home: either costs that Add one namespace move, but taking the
/// parked one spares the move home) or whoever brings it home claims it. Thread-safe.
/// </summary>
internal sealed class TapInterfacePool
{
    private readonly Lock _lock = new();
    private readonly List<TapInterface> _all = [];
    private readonly HashSet<string> _inUse = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ParkedTap> _parked = new(StringComparer.Ordinal);

    /// <summary>Adds a TAP (or replaces the one of that name, e.g. with a new MAC), free unless <paramref name="inUse"/>.</summary>
    public void Add(TapInterface tap, bool inUse)
    {
        lock (_lock)
        {
            var index = _all.FindIndex(t => t.Name == tap.Name);
            if (index >= 0)
            {
                _all[index] = tap;
            }
            else
            {
                _all.Add(tap);
            }

            _parked.Remove(tap.Name);
            if (inUse)
            {
                _inUse.Add(tap.Name);
            }
            else
            {
                _inUse.Remove(tap.Name);
            }
        }
    }

    /// <summary>Drops a TAP that no longer exists.</summary>
    public void Remove(string name)
    {
        lock (_lock)
        {
            _all.RemoveAll(t => t.Name == name);
            _inUse.Remove(name);
            _parked.Remove(name);
        }
    }

    /// <summary>A free TAP at home, first in discovery order.</summary>
    public bool TryTake(out TapInterface tap)
    {
        lock (_lock)
        {
            return TryTakeLocked(out tap);
        }
    }

    /// <summary>A parked TAP (<paramref name="parked"/> says where it is); when there is none, the first free one at home.</summary>
    public bool TryTake(out TapInterface tap, out ParkedTap? parked)
    {
        lock (_lock)
        {
            foreach (var (name, waiting) in _parked)
            {
                _parked.Remove(name);
                tap = waiting.Tap;
                parked = waiting;
                return true;
            }

            parked = null;
            return TryTakeLocked(out tap);
        }
    }

    /// <summary>An in-use TAP now waits in its deleted pod's namespace; it stays in use.</summary>
    public void Park(ParkedTap parked)
    {
        ArgumentNullException.ThrowIfNull(parked);
        lock (_lock)
        {
            _inUse.Add(parked.Tap.Name);
            _parked[parked.Tap.Name] = parked;
        }
    }

    /// <summary>Claims a parked TAP to bring it home; false when an Add took it meanwhile.</summary>
    public bool TryUnpark(string name, out ParkedTap? parked)
    {
        lock (_lock)
        {
            return _parked.Remove(name, out parked);
        }
    }

    public void Release(string name)
    {
        lock (_lock)
        {
            _inUse.Remove(name);
            _parked.Remove(name);
        }
    }

    public int FreeCount
    {
        get
        {
            lock (_lock)
            {
                return _all.Count - _inUse.Count;
            }
        }
    }

    public int ParkedCount
    {
        get
        {
            lock (_lock)
            {
                return _parked.Count;
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _all.Count;
            }
        }
    }

    private bool TryTakeLocked(out TapInterface tap)
    {
        foreach (var candidate in _all)
        {
            if (_inUse.Add(candidate.Name))
            {
                tap = candidate;
                return true;
            }
        }

        tap = default;
        return false;
    }
}
