namespace InfraAgent.Cni.PodInterfaces;

/// <summary>
/// The TAP ports pods may get (reference-behaviour.md 6.3): <see cref="TryTake"/> hands out the first
/// free one in discovery order and never the same one twice until it is released. Thread-safe.
/// </summary>
internal sealed class TapInterfacePool
{
    private readonly Lock _lock = new();
    private readonly List<TapInterface> _all = [];
    private readonly HashSet<string> _inUse = new(StringComparer.Ordinal);

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
        }
    }

    public bool TryTake(out TapInterface tap)
    {
        lock (_lock)
        {
            foreach (var candidate in _all)
            {
                if (_inUse.Add(candidate.Name))
                {
                    tap = candidate;
                    return true;
                }
            }
        }

        tap = default;
        return false;
    }

    public void Release(string name)
    {
        lock (_lock)
        {
            _inUse.Remove(name);
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
}
