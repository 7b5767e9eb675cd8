namespace InfraAgent.Cni.PodInterfaces;

/// <summary>
/// The TAP ports pods may get (reference-behaviour.md 6.3): <see cref="TryTake"/> hands out the first
/// free one in discovery order and never the same one twice until it is released. A TAP whose pod was
/// deleted stays in use while it is on its way home (<see cref="MarkReturning"/>); <see cref="TakeAsync"/>
/// waits for such a TAP rather than fail when nothing else is free. Thread-safe.
/// </summary>
internal sealed class TapInterfacePool
{
    private readonly Lock _lock = new();
    private readonly List<TapInterface> _all = [];
    private readonly HashSet<string> _inUse = new(StringComparer.Ordinal);
    private readonly HashSet<string> _returning = new(StringComparer.Ordinal);
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

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

            _returning.Remove(tap.Name);
            if (inUse)
            {
                _inUse.Add(tap.Name);
            }
            else
            {
                _inUse.Remove(tap.Name);
            }
        }

        Changed();
    }

    /// <summary>Drops a TAP that no longer exists.</summary>
    public void Remove(string name)
    {
        lock (_lock)
        {
            _all.RemoveAll(t => t.Name == name);
            _inUse.Remove(name);
            _returning.Remove(name);
        }

        Changed();
    }

    public bool TryTake(out TapInterface tap)
    {
        lock (_lock)
        {
            return TryTakeLocked(out tap);
        }
    }

    /// <summary>A free TAP; when none is free but some are on their way home, the first of them to arrive; else null.</summary>
    public async Task<TapInterface?> TakeAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                if (TryTakeLocked(out var tap))
                {
                    return tap;
                }

                if (_returning.Count == 0)
                {
                    return null;
                }

                changed = _changed.Task;
            }

            await changed.WaitAsync(cancellationToken);
        }
    }

    /// <summary>An in-use TAP is being brought home; it stays in use until <see cref="Release"/> or <see cref="EndReturning"/>.</summary>
    public void MarkReturning(string name)
    {
        lock (_lock)
        {
            if (_inUse.Contains(name))
            {
                _returning.Add(name);
            }
        }
    }

    /// <summary>A TAP that could not be brought home: it stays in use, and nobody waits for it any longer.</summary>
    public void EndReturning(string name)
    {
        lock (_lock)
        {
            _returning.Remove(name);
        }

        Changed();
    }

    public void Release(string name)
    {
        lock (_lock)
        {
            _inUse.Remove(name);
            _returning.Remove(name);
        }

        Changed();
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

    /// <summary>Wakes the takers waiting for a TAP to come home.</summary>
    private void Changed()
    {
        TaskCompletionSource changed;
        lock (_lock)
        {
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }
}
