using System.Runtime.InteropServices;

namespace Packets.Interop;

/// <summary>Owns a Linux file descriptor; the reference count keeps it open while a call is using it.</summary>
internal sealed class FileDescriptorHandle : SafeHandle
{
    public FileDescriptorHandle()
        : base(-1, ownsHandle: true)
    {
    }

    public FileDescriptorHandle(int fd)
        : base(-1, ownsHandle: true)
    {
        SetHandle(fd);
    }

    public override bool IsInvalid => handle < 0;

    /// <summary>The raw number, for epoll or poll; valid until the owner is disposed.</summary>
    public int Number => (int)handle;

    protected override bool ReleaseHandle() => LibC.Close((int)handle) == 0;
}
