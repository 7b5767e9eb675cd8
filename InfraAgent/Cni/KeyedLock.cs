namespace InfraAgent.Cni;

/// <summary>
/// An asynchronous lock per key (a pod's cache name): operations on one pod are serialized, different
/// pods never wait for each other. A key's lock exists while someone holds it or waits for it.
/// </summary>
internal sealed class KeyedLock
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>Waits for the key's lock; disposing the holder releases it (from any thread, once).</summary>
    public async Task<Holder> AcquireAsync(string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        Entry entry;
        lock (_entries)
        {
            if (!_entries.TryGetValue(key, out var existing))
            {
                existing = new Entry();
                _entries.Add(key, existing);
            }

            entry = existing;
            entry.Users++;
        }

        try
        {
            await entry.Gate.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            Leave(key, entry);
            throw;
        }

        return new Holder(() =>
        {
            entry.Gate.Release();
            Leave(key, entry);
        });
    }

    /// <summary>Keys with a holder or a waiter (tests).</summary>
    internal int Count
    {
        get
        {
            lock (_entries)
            {
                return _entries.Count;
            }
        }
    }

    private void Leave(string key, Entry entry)
    {
        lock (_entries)
        {
            if (--entry.Users == 0)
            {
                _entries.Remove(key);
            }
        }
    }

    private sealed class Entry
    {
        // No wait handle is ever asked of it, so it holds nothing to dispose.
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public int Users { get; set; }
    }

    internal sealed class Holder : IDisposable
    {
        private Action? _release;

        internal Holder(Action release)
        {
            _release = release;
        }

        public void Dispose() => Interlocked.Exchange(ref _release, null)?.Invoke();
    }
}
