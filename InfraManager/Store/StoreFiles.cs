using System.Runtime.InteropServices;

namespace InfraManager.Store;

/// <summary>The store's file names and the durable-write primitives.</summary>
internal static partial class StoreFiles
{
    public const string Snapshot = "state.json";
    public const string Journal = "journal.jsonl";

    /// <summary>The Go manager's files (pkg/inframanager/store), read once for the upgrade and never written.</summary>
    public const string GoEndpoints = "cni_db.json";
    public const string GoServices = "services_db.json";
    public const string GoSetup = "setup_db.json";

    public const UnixFileMode FilePermissions = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    public const UnixFileMode DirectoryPermissions = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private const int ReadOnly = 0;
    private const int CloseOnExec = 0x80000;

    /// <summary>The failures a file operation reports for the disk or the permissions, as opposed to a bug.</summary>
    public static bool IsIoError(Exception exception) => exception is IOException or UnauthorizedAccessException;

    /// <summary>
    /// Replaces <paramref name="path"/> so that a crash leaves either the old content or the new, never a
    /// mix: a temp file in the same directory, flushed to disk, renamed over it, then the directory flushed
    /// so that the rename itself survives a power loss.
    /// </summary>
    public static void WriteAtomically(string path, ReadOnlySpan<byte> content)
    {
        var directory = Path.GetDirectoryName(path)!; // the store's paths are full paths inside its directory
        var temp = path + ".tmp";

        // A leftover from a crash is removed so the new file is created with our mode.
        File.Delete(temp);
        try
        {
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                BufferSize = 0,
                UnixCreateMode = FilePermissions,
            };
            using (var stream = new FileStream(temp, options))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        catch (Exception e) when (IsIoError(e))
        {
            TryDelete(temp);
            throw;
        }

        SyncDirectory(directory);
    }

    /// <summary>fsync(2) on a directory, which makes the entries created or renamed in it durable.</summary>
    public static void SyncDirectory(string directory)
    {
        // FileStream refuses directories, hence libc.
        var fd = Open(directory, ReadOnly | CloseOnExec);
        if (fd < 0)
        {
            throw Failure(directory, "open");
        }

        try
        {
            if (FileSync(fd) != 0)
            {
                throw Failure(directory, "fsync");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    private static IOException Failure(string path, string call)
    {
        var errno = Marshal.GetLastPInvokeError();
        return new IOException($"{call} {path}: {Marshal.GetPInvokeErrorMessage(errno)}");
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (IsIoError(e))
        {
            // The next write removes it first.
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FileSync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
