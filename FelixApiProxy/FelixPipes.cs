using Microsoft.Win32.SafeHandles;

namespace FelixApiProxy;

/// <summary>The two pipes Felix hands its dataplane driver: fd 3 carries Felix's messages to us, fd 4 ours to Felix.</summary>
internal sealed class FelixPipes : IDisposable
{
    public const int FromFelixFd = 3;
    public const int ToFelixFd = 4;

    // O_ACCMODE and its values, and O_CLOEXEC, as /proc/self/fdinfo prints them (octal there).
    private const int AccessModeMask = 3;
    private const int ReadOnly = 0;
    private const int WriteOnly = 1;
    private const int ReadWrite = 2;
    private const int CloseOnExec = 0x80000;

    private FelixPipes(Stream fromFelix, Stream toFelix)
    {
        FromFelix = fromFelix;
        ToFelix = toFelix;
    }

    public Stream FromFelix { get; }

    public Stream ToFelix { get; }

    /// <summary>Opens fd 3 for reading and fd 4 for writing; a descriptor Felix did not pass is an <see cref="IOException"/> naming it.</summary>
    public static FelixPipes Open()
    {
        var fromFelix = OpenInherited(FromFelixFd, FileAccess.Read, "the pipe from Felix");
        try
        {
            return new FelixPipes(fromFelix, OpenInherited(ToFelixFd, FileAccess.Write, "the pipe to Felix"));
        }
        catch
        {
            fromFelix.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        FromFelix.Dispose();
        ToFelix.Dispose();
    }

    private static FileStream OpenInherited(int fd, FileAccess access, string what)
    {
        // The runtime opens descriptors of its own before Main runs, taking 3 and 4 when Felix did not pass
        // them; it opens them close-on-exec, which an inherited descriptor cannot be.
        var flags = ReadFlags(fd);
        if (flags is null || (flags.Value & CloseOnExec) != 0)
        {
            throw new IOException($"fd {fd} ({what}) was not passed in: felix-api-proxy is started by Felix as its dataplane driver");
        }

        var mode = flags.Value & AccessModeMask;
        var usable = access == FileAccess.Read ? mode is ReadOnly or ReadWrite : mode is WriteOnly or ReadWrite;
        if (!usable)
        {
            throw new IOException($"fd {fd} ({what}) is not open for {(access == FileAccess.Read ? "reading" : "writing")}");
        }

        // Unbuffered: each chunk reaches the other side as soon as it is read.
        return new FileStream(new SafeFileHandle(fd, ownsHandle: true), access, bufferSize: 0);
    }

    /// <summary>The descriptor's flags line of /proc/self/fdinfo (close-on-exec included); null when it is not open.</summary>
    private static int? ReadFlags(int fd)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines($"/proc/self/fdinfo/{fd}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        var line = Array.Find(lines, l => l.StartsWith("flags:", StringComparison.Ordinal));
        return line is null ? null : Convert.ToInt32(line["flags:".Length..].Trim(), 8);
    }
}
