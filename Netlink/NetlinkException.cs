using System.Runtime.InteropServices;

namespace Netlink;

/// <summary>
/// The kernel refused an rtnetlink request. The message names the request and the errno text, e.g.
/// <c>RTM_NEWADDR 10.0.0.1/32 dev eth0: File exists</c>, followed by the kernel's extended-ack text in
/// parentheses when it sent one.
/// </summary>
public sealed class NetlinkException : IOException
{
    public NetlinkException()
    {
        Operation = string.Empty;
    }

    public NetlinkException(string message)
        : base(message)
    {
        Operation = string.Empty;
    }

    public NetlinkException(string message, Exception innerException)
        : base(message, innerException)
    {
        Operation = string.Empty;
    }

    public NetlinkException(string operation, int errno, string? kernelMessage = null)
        : base(Format(operation, errno, kernelMessage))
    {
        Operation = operation;
        Errno = errno;
        KernelMessage = kernelMessage;
    }

    /// <summary>The request, as <c>RTM_NEWROUTE 0.0.0.0/0 via 169.254.1.1 dev eth0</c>.</summary>
    public string Operation { get; }

    /// <summary>The positive errno (see <see cref="ErrorNumbers"/>).</summary>
    public int Errno { get; }

    /// <summary>NLMSGERR_ATTR_MSG, when the kernel explained itself.</summary>
    public string? KernelMessage { get; }

    private static string Format(string operation, int errno, string? kernelMessage) =>
        kernelMessage is { Length: > 0 }
            ? $"{operation}: {Marshal.GetPInvokeErrorMessage(errno)} ({kernelMessage})"
            : $"{operation}: {Marshal.GetPInvokeErrorMessage(errno)}";
}
