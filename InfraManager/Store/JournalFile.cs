namespace InfraManager.Store;

/// <summary>
/// journal.jsonl, held open with an exclusive lock (a second manager on the same directory fails to
/// open it). Appends go straight to the file (no FileStream buffer, so a failed write leaves nothing
/// pending) and are flushed to disk before they count. A failed append is cut off again, so the next
/// batch never lands behind half of one.
/// </summary>
internal sealed class JournalFile : IDisposable
{
    private readonly FileStream _stream;
    private readonly ILogger _logger;
    private long _length;
    private bool _needsCut;

    private JournalFile(string path, FileStream stream, ILogger logger)
    {
        Path = path;
        _stream = stream;
        _logger = logger;
    }

    public string Path { get; }

    /// <summary>Where the last durable batch ends (set by <see cref="KeepOnly"/> once the content was replayed).</summary>
    public long Length => _length;

    /// <summary>Opens or creates (mode 0600) the journal; IOException when another process holds it.</summary>
    public static JournalFile Open(string path, ILogger logger)
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.OpenOrCreate,
            Access = FileAccess.ReadWrite,

            // On Linux FileShare.None is an advisory flock(LOCK_EX): one writer per store.
            Share = FileShare.None,
            BufferSize = 0,
            UnixCreateMode = StoreFiles.FilePermissions,
        };
        return new JournalFile(path, new FileStream(path, options), logger);
    }

    public byte[] ReadAll()
    {
        var content = new byte[_stream.Length];
        _stream.Position = 0;
        _stream.ReadExactly(content);
        return content;
    }

    /// <summary>After a replay: only the first <paramref name="validLength"/> of <paramref name="fileLength"/> bytes count; the rest goes at the next append.</summary>
    public void KeepOnly(long validLength, long fileLength)
    {
        _needsCut = fileLength > validLength;
        _length = validLength;
    }

    public void Append(ReadOnlySpan<byte> batch)
    {
        if (_needsCut)
        {
            _stream.SetLength(_length);
            _needsCut = false;
        }

        try
        {
            _stream.Position = _length;
            _stream.Write(batch);
            _stream.Flush(flushToDisk: true);
        }
        catch (Exception e) when (StoreFiles.IsIoError(e))
        {
            CutBack();
            throw;
        }

        _length += batch.Length;
    }

    /// <summary>Empties the journal once a snapshot holds everything in it.</summary>
    public void Clear()
    {
        // ftruncate either happens or not; once it has, the old batches are gone whether or not the
        // flush below reaches the disk, and both outcomes are consistent with the snapshot.
        _stream.SetLength(0);
        _length = 0;
        _needsCut = false;
        _stream.Flush(flushToDisk: true);
    }

    public void Dispose() => _stream.Dispose();

    private void CutBack()
    {
        try
        {
            _stream.SetLength(_length);
            _stream.Flush(flushToDisk: true);
        }
        catch (Exception e) when (StoreFiles.IsIoError(e))
        {
            _needsCut = true;
            StoreLog.CutBackFailed(_logger, Path, e);
        }
    }
}
