using System.Runtime.InteropServices;

namespace Netlink.Interop;

/// <summary>The libc calls netlink sockets and namespace switching need, source-generated.</summary>
internal static unsafe partial class LibC
{
    public const int ENOENT = 2;
    public const int EINTR = 4;
    public const int EAGAIN = 11;
    public const int EINVAL = 22;
    public const int ENOTTY = 25;

    public const int O_RDONLY = 0x0;
    public const int O_CLOEXEC = 0x80000;

    public const int AF_NETLINK = 16;
    public const int SOCK_RAW = 3;
    public const int SOCK_CLOEXEC = 0x80000;
    public const int NETLINK_ROUTE = 0;
    public const int SOL_NETLINK = 270;
    public const int NETLINK_CAP_ACK = 10;
    public const int NETLINK_EXT_ACK = 11;

    public const int MSG_PEEK = 0x2;
    public const int MSG_TRUNC = 0x20;
    public const int MSG_DONTWAIT = 0x40;

    public const short POLLIN = 0x1;

    public const int CLONE_NEWNET = 0x40000000;

    /// <summary>_IO(0xb7, 0x3): the CLONE_NEW* type of a namespace file (Linux 4.11).</summary>
    public const nuint NS_GET_NSTYPE = 0xb703;

    private const string Library = "libc";

    [LibraryImport(Library, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    [LibraryImport(Library, EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(SafeHandle fd, nuint request, nint argument);

    [LibraryImport(Library, EntryPoint = "setns", SetLastError = true)]
    public static partial int SetNamespace(SafeHandle fd, int type);

    [LibraryImport(Library, EntryPoint = "gettid")]
    public static partial int GetThreadId();

    [LibraryImport(Library, EntryPoint = "socket", SetLastError = true)]
    public static partial int Socket(int domain, int type, int protocol);

    [LibraryImport(Library, EntryPoint = "bind", SetLastError = true)]
    public static partial int Bind(SafeHandle fd, void* address, uint addressLength);

    [LibraryImport(Library, EntryPoint = "getsockname", SetLastError = true)]
    public static partial int GetSocketName(SafeHandle fd, void* address, uint* addressLength);

    [LibraryImport(Library, EntryPoint = "setsockopt", SetLastError = true)]
    public static partial int SetSocketOption(SafeHandle fd, int level, int name, void* value, uint valueLength);

    [LibraryImport(Library, EntryPoint = "sendto", SetLastError = true)]
    public static partial nint SendTo(SafeHandle fd, byte* buffer, nuint count, int flags, void* address, uint addressLength);

    [LibraryImport(Library, EntryPoint = "recv", SetLastError = true)]
    public static partial nint Receive(SafeHandle fd, byte* buffer, nuint count, int flags);

    [LibraryImport(Library, EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollDescriptor* descriptors, nuint count, int timeoutMilliseconds);

    [StructLayout(LayoutKind.Sequential)]
    public struct PollDescriptor
    {
        public int Fd;
        public short Events;
        public short ReturnedEvents;
    }

    /// <summary>struct sockaddr_nl.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct NetlinkAddress
    {
        public ushort Family;
        public ushort Padding;
        public uint PortId;
        public uint Groups;
    }
}
