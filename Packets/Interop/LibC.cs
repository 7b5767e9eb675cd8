using System.Runtime.InteropServices;

namespace Packets.Interop;

/// <summary>The libc calls the TAP device and packet socket need, source-generated (no runtime marshalling stubs).</summary>
internal static unsafe partial class LibC
{
    public const int EINTR = 4;
    public const int EAGAIN = 11;
    public const int EBUSY = 16;
    public const int EINVAL = 22;

    public const int O_RDWR = 0x2;
    public const int O_CLOEXEC = 0x80000;

    public const int AF_INET = 2;
    public const int AF_PACKET = 17;
    public const int SOCK_DGRAM = 2;
    public const int SOCK_RAW = 3;
    public const int SOCK_CLOEXEC = 0x80000;
    public const int SOL_SOCKET = 1;
    public const int SO_ATTACH_FILTER = 26;
    public const int MSG_DONTWAIT = 0x40;

    public const short POLLIN = 0x1;
    public const short POLLOUT = 0x4;

    private const string Library = "libc";

    [LibraryImport(Library, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    [LibraryImport(Library, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(Library, EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(SafeHandle fd, nuint request, void* argument);

    [LibraryImport(Library, EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(SafeHandle fd, nuint request, nint argument);

    [LibraryImport(Library, EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(SafeHandle fd, byte* buffer, nuint count);

    [LibraryImport(Library, EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(SafeHandle fd, byte* buffer, nuint count);

    [LibraryImport(Library, EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollDescriptor* descriptors, nuint count, int timeoutMilliseconds);

    [LibraryImport(Library, EntryPoint = "socket", SetLastError = true)]
    public static partial int Socket(int domain, int type, int protocol);

    [LibraryImport(Library, EntryPoint = "bind", SetLastError = true)]
    public static partial int Bind(SafeHandle fd, void* address, uint addressLength);

    [LibraryImport(Library, EntryPoint = "setsockopt", SetLastError = true)]
    public static partial int SetSocketOption(SafeHandle fd, int level, int name, void* value, uint valueLength);

    [LibraryImport(Library, EntryPoint = "recv", SetLastError = true)]
    public static partial nint Receive(SafeHandle fd, byte* buffer, nuint count, int flags);

    [LibraryImport(Library, EntryPoint = "send", SetLastError = true)]
    public static partial nint Send(SafeHandle fd, byte* buffer, nuint count, int flags);

    [LibraryImport(Library, EntryPoint = "if_nametoindex", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial uint InterfaceNameToIndex(string name);

    /// <summary>
    /// Waits until <paramref name="fd"/> has <paramref name="events"/>, at most <paramref name="timeout"/>
    /// (infinite when negative). Returns 1 when ready, 0 on timeout or EINTR (the runtime signals
    /// threads, for example to suspend them for GC), or the errno negated.
    /// </summary>
    public static int WaitFor(SafeHandle fd, short events, TimeSpan timeout)
    {
        var added = false;
        try
        {
            fd.DangerousAddRef(ref added);
            var descriptor = new PollDescriptor { Fd = (int)fd.DangerousGetHandle(), Events = events };
            var milliseconds = timeout < TimeSpan.Zero ? -1 : (int)Math.Min(int.MaxValue, Math.Ceiling(timeout.TotalMilliseconds));
            var result = Poll(&descriptor, 1, milliseconds);
            if (result >= 0)
            {
                return result > 0 ? 1 : 0;
            }

            var errno = Marshal.GetLastPInvokeError();
            return errno == EINTR ? 0 : -errno;
        }
        finally
        {
            if (added)
            {
                fd.DangerousRelease();
            }
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct PollDescriptor
    {
        public int Fd;
        public short Events;
        public short ReturnedEvents;
    }
}
