using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Netlink.Interop;
using Packets;

namespace Netlink;

/// <summary>
/// An open network namespace file (<c>/var/run/netns/NAME</c>, <c>/proc/PID/ns/net</c>): what
/// <see cref="RouteNetlinkClient.MoveToNamespace"/> moves a link into, and what
/// <see cref="NetworkNamespaceRunner"/> enters. Holding it keeps the namespace alive.
/// </summary>
public sealed class NetworkNamespaceHandle : IDisposable
{
    /// <summary>The namespace of the process (its main thread); threads of ours never leave it except on <see cref="NetworkNamespaceRunner"/>'s own threads.</summary>
    public const string ProcessNamespacePath = "/proc/self/ns/net";

    private NetworkNamespaceHandle(SafeFileHandle fd, string path)
    {
        SafeFileHandle = fd;
        Path = path;
    }

    public string Path { get; }

    /// <summary>The open descriptor, for calls this library does not make (setns, IFLA_NET_NS_FD elsewhere); owned by this handle.</summary>
    public SafeFileHandle SafeFileHandle { get; }

    /// <summary>Opens <paramref name="path"/> and checks that it is a network namespace.</summary>
    /// <exception cref="NetworkNamespaceNotFoundException">Nothing at <paramref name="path"/> (the namespace is gone).</exception>
    /// <exception cref="IOException">It exists but is not a network namespace, or cannot be opened.</exception>
    public static NetworkNamespaceHandle Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var number = LibC.Open(path, LibC.O_RDONLY | LibC.O_CLOEXEC);
        if (number < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw errno == LibC.ENOENT
                ? new NetworkNamespaceNotFoundException(path)
                : new NativeIOException($"open network namespace {path}", errno);
        }

        var fd = new SafeFileHandle(number, ownsHandle: true);
        if (LibC.Ioctl(fd, LibC.NS_GET_NSTYPE, 0) != LibC.CLONE_NEWNET)
        {
            fd.Dispose();
            throw new IOException($"{path} is not a network namespace");
        }

        return new NetworkNamespaceHandle(fd, path);
    }

    /// <summary>The process's own (root) network namespace, to move a link back from a pod.</summary>
    public static NetworkNamespaceHandle OpenProcessNamespace() => Open(ProcessNamespacePath);

    /// <summary>The calling thread's namespace, to come back to after setns.</summary>
    internal static NetworkNamespaceHandle OpenThreadNamespace() =>
        Directory.Exists("/proc/thread-self")
            ? Open("/proc/thread-self/ns/net")
            : Open(string.Create(CultureInfo.InvariantCulture, $"/proc/self/task/{LibC.GetThreadId()}/ns/net"));

    public void Dispose() => SafeFileHandle.Dispose();

    public override string ToString() => Path;
}
