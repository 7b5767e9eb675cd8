using System.Runtime.InteropServices;
using System.Text;

namespace Packets.Interop;

/// <summary>struct ifreq (linux/if.h) in a caller's buffer: a 16-byte name, then a 24-byte union; 40 bytes on LP64.</summary>
internal static class InterfaceRequest
{
    public const int Size = 40;
    public const int NameSize = 16;

    /// <summary>Clears <paramref name="request"/> and writes <paramref name="name"/>, NUL-terminated.</summary>
    public static void Initialize(Span<byte> request, string name)
    {
        if (string.IsNullOrEmpty(name) || Encoding.UTF8.GetByteCount(name) >= NameSize
            || name.Contains('/', StringComparison.Ordinal) || name.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{name}' is not a valid interface name (1 to {NameSize - 1} bytes, no '/')", nameof(name));
        }

        request[..Size].Clear();
        Encoding.UTF8.GetBytes(name, request);
    }

    /// <summary>ifr_flags, a short at the start of the union.</summary>
    public static void SetFlags(Span<byte> request, short flags) => MemoryMarshal.Write(request[NameSize..], in flags);

    /// <summary>ifr_hwaddr.sa_data: a struct sockaddr whose data follows its 2-byte family.</summary>
    public static MacAddress HardwareAddress(ReadOnlySpan<byte> request) => MacAddress.Read(request[(NameSize + 2)..]);
}
