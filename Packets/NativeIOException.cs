using System.Runtime.InteropServices;

namespace Packets;

/// <summary>A Linux system call failed; <see cref="Errno"/> is the errno it set.</summary>
public sealed class NativeIOException : IOException
{
    public NativeIOException()
    {
    }

    public NativeIOException(string message)
        : base(message)
    {
    }

    public NativeIOException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public NativeIOException(string operation, int errno)
        : base($"{operation}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})")
    {
        Errno = errno;
    }

    public int Errno { get; }
}
