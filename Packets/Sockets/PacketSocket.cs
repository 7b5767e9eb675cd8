using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Packets.Interop;

namespace Packets.Sockets;

/// <summary>
/// An AF_PACKET/SOCK_RAW socket bound to one interface and one EtherType: whole Ethernet frames in and
/// out. Like <see cref="Tap.TapDevice"/>, <see cref="Receive"/> blocks and is not woken by disposal;
/// use <see cref="TryReceive"/> where the reader must stop.
/// </summary>
public sealed unsafe class PacketSocket : IDisposable
{
    /// <summary>ETH_P_ALL: every frame, including those the host sends.</summary>
    public const ushort AllProtocols = 0x0003;

    private const int MsgDontWait = 0x40;

    private readonly FileDescriptorHandle _fd;

    private PacketSocket(FileDescriptorHandle fd, int interfaceIndex, ushort protocol)
    {
        _fd = fd;
        InterfaceIndex = interfaceIndex;
        Protocol = protocol;
    }

    public int InterfaceIndex { get; }

    public ushort Protocol { get; }

    /// <summary>The raw descriptor, for epoll; valid until <see cref="Dispose"/>.</summary>
    public int FileDescriptor => _fd.Number;

    /// <summary>
    /// Opens a socket receiving the <paramref name="protocol"/> frames (an EtherType such as
    /// <see cref="EtherTypes.Arp"/>, or <see cref="AllProtocols"/>) of interface
    /// <paramref name="interfaceIndex"/> in this process's namespace that pass <paramref name="filter"/>.
    /// </summary>
    public static PacketSocket Open(int interfaceIndex, ushort protocol, ReadOnlySpan<SocketFilterInstruction> filter = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(interfaceIndex);

        // Protocol 0 receives nothing until bind, so no frame gets queued before the filter is in place.
        var number = LibC.Socket(LibC.AF_PACKET, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, 0);
        if (number < 0)
        {
            throw new NativeIOException("socket AF_PACKET", Marshal.GetLastPInvokeError());
        }

        var fd = new FileDescriptorHandle(number);
        try
        {
            if (!filter.IsEmpty)
            {
                fixed (SocketFilterInstruction* instructions = filter)
                {
                    var program = new FilterProgram { Length = checked((ushort)filter.Length), Instructions = instructions };
                    if (LibC.SetSocketOption(fd, LibC.SOL_SOCKET, LibC.SO_ATTACH_FILTER, &program, (uint)sizeof(FilterProgram)) != 0)
                    {
                        throw new NativeIOException("SO_ATTACH_FILTER", Marshal.GetLastPInvokeError());
                    }
                }
            }

            var address = new LinkLayerAddress
            {
                Family = LibC.AF_PACKET,
                Protocol = BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(protocol) : protocol,
                InterfaceIndex = interfaceIndex,
            };
            if (LibC.Bind(fd, &address, (uint)sizeof(LinkLayerAddress)) != 0)
            {
                throw new NativeIOException($"bind AF_PACKET ifindex {interfaceIndex}", Marshal.GetLastPInvokeError());
            }

            return new PacketSocket(fd, interfaceIndex, protocol);
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    /// <summary>Blocks until a frame arrives and copies it into <paramref name="buffer"/> (cut to its length); returns the bytes copied.</summary>
    public int Receive(Span<byte> buffer)
    {
        var received = Receive(buffer, 0, out var errno);
        return received >= 0 ? received : throw new NativeIOException($"recv ifindex {InterfaceIndex}", errno);
    }

    /// <summary>Receives one frame if one arrives within <paramref name="timeout"/>; false when none did.</summary>
    public bool TryReceive(Span<byte> buffer, TimeSpan timeout, out int length)
    {
        // Try first: with frames queued this costs one system call, not two.
        length = Receive(buffer, MsgDontWait, out var errno);
        if (length < 0 && errno == LibC.EAGAIN)
        {
            var ready = LibC.WaitFor(_fd, LibC.POLLIN, timeout);
            if (ready < 0)
            {
                throw new NativeIOException($"poll ifindex {InterfaceIndex}", -ready);
            }

            if (ready > 0)
            {
                length = Receive(buffer, MsgDontWait, out errno);
            }
        }

        if (length >= 0)
        {
            return true;
        }

        length = 0;
        return errno == LibC.EAGAIN ? false : throw new NativeIOException($"recv ifindex {InterfaceIndex}", errno);
    }

    /// <summary>Sends one whole frame out of the bound interface; returns the bytes sent.</summary>
    public int Send(ReadOnlySpan<byte> frame)
    {
        var sent = TrySend(frame, out var errno);
        return sent >= 0 ? sent : throw new NativeIOException($"send ifindex {InterfaceIndex}", errno);
    }

    /// <summary>Sends one frame; returns the bytes sent, or -1 with the errno.</summary>
    public int TrySend(ReadOnlySpan<byte> frame, out int errno)
    {
        fixed (byte* pointer = frame)
        {
            while (true)
            {
                var sent = LibC.Send(_fd, pointer, (nuint)frame.Length, 0);
                if (sent >= 0)
                {
                    errno = 0;
                    return (int)sent;
                }

                errno = Marshal.GetLastPInvokeError();
                if (errno != LibC.EINTR)
                {
                    return -1;
                }
            }
        }
    }

    public void Dispose() => _fd.Dispose();

    private int Receive(Span<byte> buffer, int flags, out int errno)
    {
        fixed (byte* pointer = buffer)
        {
            while (true)
            {
                var received = LibC.Receive(_fd, pointer, (nuint)buffer.Length, flags);
                if (received >= 0)
                {
                    errno = 0;
                    return (int)received;
                }

                errno = Marshal.GetLastPInvokeError();
                if (errno != LibC.EINTR)
                {
                    return -1;
                }
            }
        }
    }

    /// <summary>struct sock_fprog.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct FilterProgram
    {
        public ushort Length;
        public SocketFilterInstruction* Instructions;
    }

    /// <summary>struct sockaddr_ll (linux/if_packet.h), 20 bytes.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct LinkLayerAddress
    {
        public ushort Family;
        public ushort Protocol;
        public int InterfaceIndex;
        public ushort HardwareType;
        public byte PacketType;
        public byte AddressLength;
        public uint AddressHigh;
        public uint AddressLow;
    }
}
