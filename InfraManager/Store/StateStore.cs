using System.Text.Json;
using InfraManager.State;

namespace InfraManager.Store;

/// <summary>
/// The manager's desired state on disk: state.json (a snapshot at some journal sequence) plus
/// journal.jsonl (the batches committed since, each flushed to disk before <see cref="Commit"/>
/// returns). Loading replays the journal onto the snapshot and folds it into a fresh snapshot.
/// One writer: the caller serializes commits.
/// </summary>
internal sealed class StateStore : IDisposable
{
    /// <summary>Past this size the journal is folded into a new snapshot after a commit.</summary>
    public const long CompactionThreshold = 16L * 1024 * 1024;

    private readonly string _directory;
    private readonly string _snapshotPath;
    private readonly JournalFile _journal;
    private readonly ILogger<StateStore> _logger;
    private long _sequence;
    private bool _disposed;

    private StateStore(string directory, JournalFile journal, ManagerState state, long sequence, StoreLoadSource loadedFrom, ILogger<StateStore> logger)
    {
        _directory = directory;
        _snapshotPath = Path.Combine(directory, StoreFiles.Snapshot);
        _journal = journal;
        _logger = logger;
        _sequence = sequence;
        State = state;
        LoadedFrom = loadedFrom;
    }

    /// <summary>The last committed state.</summary>
    public ManagerState State { get; private set; }

    public StoreLoadSource LoadedFrom { get; }

    /// <summary>
    /// Opens the store in <paramref name="directory"/> (created with mode 0700 when missing) and loads
    /// it; when only the Go manager's files are there, imports them. <see cref="StoreException"/> when a
    /// file cannot be read or parsed, or another process has the store open.
    /// </summary>
    public static StateStore Open(string directory, ILogger<StateStore> logger)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(logger);

        directory = Path.GetFullPath(directory);
        CreateDirectory(directory, logger);
        var snapshotPath = Path.Combine(directory, StoreFiles.Snapshot);
        var journalPath = Path.Combine(directory, StoreFiles.Journal);

        var state = ManagerState.Empty;
        long sequence = 0;
        var source = StoreLoadSource.Empty;

        // The import runs before the journal exists: should it fail, the next start tries it again
        // rather than finding an (empty) store of ours.
        var journalExisted = File.Exists(journalPath);
        var upgrade = !File.Exists(snapshotPath) && !journalExisted && GoStoreImport.Exists(directory);
        if (upgrade)
        {
            state = GoStoreImport.Read(directory, logger);
            WriteSnapshot(snapshotPath, state, sequence);
            source = StoreLoadSource.GoStore;
            var pods = state.Endpoints.Values.Count(e => e.Kind == EndpointKind.Pod);
            StoreLog.GoImported(logger, directory, pods, state.Services.Count);
        }

        var journal = OpenJournal(journalPath, logger);
        StateStore? opened = null;
        try
        {
            if (!journalExisted)
            {
                // A commit flushes the journal's content; the directory entry needs its own flush.
                SyncDirectory(directory);
            }

            if (!upgrade && File.Exists(snapshotPath))
            {
                (state, sequence) = ReadSnapshot(snapshotPath);
                source = StoreLoadSource.Store;
            }

            var content = ReadJournal(journal);
            var replay = Replay(journalPath, state, sequence, content);
            journal.KeepOnly(replay.ValidLength, content.Length);
            if (replay.DroppedBytes > 0)
            {
                StoreLog.JournalTailDropped(logger, journalPath, replay.DroppedLines, replay.DroppedBytes);
            }

            if (replay.Batches > 0)
            {
                source = StoreLoadSource.Store;
            }

            var store = new StateStore(directory, journal, replay.State, replay.Sequence, source, logger);
            if (content.Length > 0)
            {
                store.TryCompact();
            }

            var loaded = store.State;
            StoreLog.Loaded(logger, directory, source, loaded.Endpoints.Count, loaded.Services.Count, loaded.Felix.Count, replay.Sequence, replay.Batches);
            opened = store;
            return store;
        }
        finally
        {
            if (opened is null)
            {
                journal.Dispose();
            }
        }
    }

    /// <summary>
    /// Makes <paramref name="next"/> durable, then the current state: appends what differs from
    /// <see cref="State"/> to the journal as one batch and flushes it to disk. Nothing is written when
    /// nothing differs. On <see cref="StoreException"/> the state stays as it was.
    /// </summary>
    public void Commit(ManagerState next)
    {
        ArgumentNullException.ThrowIfNull(next);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var sequence = _sequence + 1;
        var batch = JournalBatch.Encode(State, next, sequence);
        if (batch.Length > 0)
        {
            try
            {
                _journal.Append(batch);
            }
            catch (Exception e) when (StoreFiles.IsIoError(e))
            {
                throw new StoreException($"{_journal.Path}: {e.Message}", e);
            }

            _sequence = sequence;
            StoreLog.Committed(_logger, _journal.Path, sequence, batch.Length);
        }

        State = next;
        if (_journal.Length > CompactionThreshold)
        {
            TryCompact();
        }
    }

    public void Dispose()
    {
        _disposed = true;
        _journal.Dispose();
    }

    /// <summary>Writes the state as a new snapshot and empties the journal; a failure leaves both usable.</summary>
    private void TryCompact()
    {
        try
        {
            WriteSnapshotFile(_snapshotPath, State, _sequence);
            var journalBytes = _journal.Length;
            _journal.Clear();
            StoreLog.Compacted(_logger, _snapshotPath, _sequence, journalBytes);
        }
        catch (Exception e) when (StoreFiles.IsIoError(e))
        {
            StoreLog.CompactionFailed(_logger, _directory, e);
        }
    }

    private static void CreateDirectory(string directory, ILogger logger)
    {
        if (Directory.Exists(directory))
        {
            return;
        }

        try
        {
            Directory.CreateDirectory(directory, StoreFiles.DirectoryPermissions);
        }
        catch (Exception e) when (StoreFiles.IsIoError(e))
        {
            throw new StoreException($"{directory}: {e.Message}", e);
        }

        StoreLog.DirectoryCreated(logger, directory);
    }

    private static JournalFile OpenJournal(string path, ILogger logger)
    {
        try
        {
            return JournalFile.Open(path, logger);
        }
        catch (Exception e) when (StoreFiles.IsIoError(e))
        {
            throw new StoreException($"{path}: {e.Message}", e);
        }
    }

    private static void SyncDirectory(string directory)
    {
        try
        {
            StoreFiles.SyncDirectory(directory);
        }
        catch (Exception e) when (StoreFiles.IsIoError(e))
        {
            throw new StoreException($"{directory}: {e.Message}", e);
        }
    }

    private static byte[] ReadJournal(JournalFile journal)
    {
        try
        {
            return journal.ReadAll();
        }
        catch (Exception e) when (StoreFiles.IsIoError(e))
        {
            throw new StoreException($"{journal.Path}: {e.Message}", e);
        }
    }

    private static JournalReplay Replay(string path, ManagerState state, long sequence, byte[] content)
    {
        try
        {
            return JournalReplay.Run(state, sequence, content);
        }
        catch (InvalidDataException e)
        {
            throw new StoreException($"{path}: {e.Message}", e);
        }
    }

    private static (ManagerState State, long Sequence) ReadSnapshot(string path)
    {
        try
        {
            return StateSnapshot.Parse(File.ReadAllBytes(path));
        }
        catch (Exception e) when (StoreFiles.IsIoError(e) || e is JsonException or InvalidDataException)
        {
            throw new StoreException($"{path}: {e.Message}", e);
        }
    }

    private static void WriteSnapshot(string path, ManagerState state, long sequence)
    {
        try
        {
            WriteSnapshotFile(path, state, sequence);
        }
        catch (Exception e) when (StoreFiles.IsIoError(e))
        {
            throw new StoreException($"{path}: {e.Message}", e);
        }
    }

    private static void WriteSnapshotFile(string path, ManagerState state, long sequence) =>
        StoreFiles.WriteAtomically(path, StateSnapshot.Serialize(state, sequence));
}
