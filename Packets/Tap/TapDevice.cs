using System.Runtime.InteropServices;
using Packets.Interop;

namespace Packets.Tap;

/// <summary>
/// A TAP interface opened through /dev/net/tun (IFF_TAP | IFF_NO_PI, plus IFF_VNET_HDR on request):
/// whole Ethernet frames are read from and written to the file descriptor, one per call.
/// <para>
/// The descriptor stays bound to the interface, not to a name or a namespace: after
/// <c>ip link set NAME netns NS</c> (and even a rename there, as the agent does for pod eth0) reads
/// and writes go on working. <see cref="MacAddress"/> and <see cref="InterfaceIndex"/> are read at
/// open, in the namespace that opened it; an index is only meaningful in that namespace.
/// </para>
/// <para>
/// <see cref="Read"/> blocks, and disposing from another thread does not wake it (the descriptor is
/// closed once the read returns): a reader that must stop uses <see cref="TryRead"/> with a timeout.
/// </para>
/// </summary>
public sealed unsafe class TapDevice : IDisposable
{
    /// <summary>The largest read: a 64 KB GSO super-frame behind a VLAN tag and a 12-byte virtio header.</summary>
    public const int MaxReadLength = ushort.MaxValue + 14 + 4 + VirtioNetHeader.SizeWithBufferCount;

    private const nuint TunSetIff = 0x400454CA;
    private const nuint TunSetPersist = 0x400454CB;
    private const nuint TunSetOffload = 0x400454D0;
    private const nuint TunSetVnetHeaderSize = 0x400454D8;
    private const nuint TunSetVnetLittleEndian = 0x400454DC;
    private const nuint SiocGetInterfaceHardwareAddress = 0x8927;

    private const short IffTap = 0x0002;
    private const short IffNoPi = 0x1000;
    private const short IffVnetHeader = 0x4000;
    private const short IffTunExclusive = unchecked((short)0x8000);

    private readonly FileDescriptorHandle _fd;

    private TapDevice(FileDescriptorHandle fd, string name, bool created, int vnetHeaderLength, TapOffloads offloads, MacAddress mac, int index)
    {
        _fd = fd;
        Name = name;
        Created = created;
        VnetHeaderLength = vnetHeaderLength;
        Offloads = offloads;
        MacAddress = mac;
        InterfaceIndex = index;
    }

    /// <summary>The name at open; the interface may have been renamed since.</summary>
    public string Name { get; }

    /// <summary>True when this open created the interface, false when it attached to an existing (persistent) one.</summary>
    public bool Created { get; }

    /// <summary>The virtio_net_hdr length in front of every frame read and written: 0, or <see cref="VirtioNetHeader.Size"/>.</summary>
    public int VnetHeaderLength { get; }

    /// <summary>The offloads the kernel accepted, a subset of those asked for.</summary>
    public TapOffloads Offloads { get; }

    public MacAddress MacAddress { get; }

    /// <summary>The ifindex in the opening namespace at open time, or 0 if it could not be read.</summary>
    public int InterfaceIndex { get; }

    /// <summary>The raw descriptor, for epoll; valid until <see cref="Dispose"/>.</summary>
    public int FileDescriptor => _fd.Number;

    /// <summary>
    /// Opens the TAP named <paramref name="name"/> in this process's network namespace, creating it if
    /// missing. A new TAP is removed when its descriptor closes unless <paramref name="persistent"/>
    /// (TUNSETPERSIST), which lets it outlive the process as gnmi-ctl-created ports do; attaching to an
    /// existing TAP never changes its persistence.
    /// </summary>
    /// <param name="offloads">
    /// TUNSETOFFLOAD bits to ask for; implies IFF_VNET_HDR. Bits the kernel refuses with EINVAL are
    /// dropped (USO, then UFO, then TSO ECN, then TSO, then checksum) until it accepts.
    /// </param>
    /// <param name="vnetHeader">Frames carry a virtio_net_hdr even without offloads.</param>
    /// <exception cref="NativeIOException">The TAP cannot be created or attached (EBUSY: another descriptor holds it).</exception>
    public static TapDevice Open(string name, TapOffloads offloads = TapOffloads.None, bool vnetHeader = false, bool persistent = false)
    {
        var request = stackalloc byte[InterfaceRequest.Size];
        var requestSpan = new Span<byte>(request, InterfaceRequest.Size);
        InterfaceRequest.Initialize(requestSpan, name);
        var withHeader = vnetHeader || offloads != TapOffloads.None;
        var fdNumber = LibC.Open("/dev/net/tun", LibC.O_RDWR | LibC.O_CLOEXEC);
        if (fdNumber < 0)
        {
            throw new NativeIOException("open /dev/net/tun", Marshal.GetLastPInvokeError());
        }

        var fd = new FileDescriptorHandle(fdNumber);
        try
        {
            var flags = (short)(IffTap | IffNoPi | (withHeader ? IffVnetHeader : 0));

            // IFF_TUN_EXCL fails with EBUSY when the name exists, which tells creation from attachment without a race.
            InterfaceRequest.SetFlags(requestSpan, (short)(flags | IffTunExclusive));
            var created = LibC.Ioctl(fd, TunSetIff, request) == 0;
            if (!created)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno != LibC.EBUSY)
                {
                    throw new NativeIOException($"TUNSETIFF {name}", errno);
                }

                InterfaceRequest.Initialize(requestSpan, name);
                InterfaceRequest.SetFlags(requestSpan, flags);
                Check(LibC.Ioctl(fd, TunSetIff, request), $"TUNSETIFF {name} (attach)");
            }

            var accepted = TapOffloads.None;
            if (withHeader)
            {
                // Explicit, because a persistent TAP keeps the size and endianness its previous user set.
                var size = VirtioNetHeader.Size;
                Check(LibC.Ioctl(fd, TunSetVnetHeaderSize, &size), $"TUNSETVNETHDRSZ {name}");
                var littleEndian = 1;
                if (LibC.Ioctl(fd, TunSetVnetLittleEndian, &littleEndian) != 0 && !BitConverter.IsLittleEndian)
                {
                    throw new NativeIOException($"TUNSETVNETLE {name}", Marshal.GetLastPInvokeError());
                }

                accepted = SetOffloads(fd, name, offloads);
            }

            InterfaceRequest.Initialize(requestSpan, name);
            Check(LibC.Ioctl(fd, SiocGetInterfaceHardwareAddress, request), $"SIOCGIFHWADDR {name}");
            var mac = InterfaceRequest.HardwareAddress(requestSpan);
            var index = (int)LibC.InterfaceNameToIndex(name);

            if (created && persistent)
            {
                Check(LibC.Ioctl(fd, TunSetPersist, 1), $"TUNSETPERSIST {name}");
            }

            return new TapDevice(fd, name, created, withHeader ? VirtioNetHeader.Size : 0, accepted, mac, index);
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Sets or clears TUNSETPERSIST. Clearing it on an interface nobody else holds makes it go away when
    /// this descriptor closes: how a persistent TAP is deleted without netlink.
    /// </summary>
    public void SetPersistent(bool persistent) =>
        Check(LibC.Ioctl(_fd, TunSetPersist, persistent ? 1 : 0), $"TUNSETPERSIST {Name}");

    /// <summary>Blocks until a frame arrives and copies it (behind the virtio header, if any) into <paramref name="buffer"/>; returns its length.</summary>
    /// <remarks>A frame longer than the buffer is cut; size buffers with <see cref="MaxReadLength"/> when offloads are on.</remarks>
    public int Read(Span<byte> buffer)
    {
        fixed (byte* pointer = buffer)
        {
            while (true)
            {
                var read = LibC.Read(_fd, pointer, (nuint)buffer.Length);
                if (read >= 0)
                {
                    return (int)read;
                }

                var errno = Marshal.GetLastPInvokeError();
                if (errno != LibC.EINTR)
                {
                    throw new NativeIOException($"read {Name}", errno);
                }
            }
        }
    }

    /// <summary>Reads one frame if one arrives within <paramref name="timeout"/>; false when none did.</summary>
    public bool TryRead(Span<byte> buffer, TimeSpan timeout, out int length)
    {
        var ready = LibC.WaitFor(_fd, LibC.POLLIN, timeout);
        if (ready <= 0)
        {
            length = 0;
            return ready == 0 ? false : throw new NativeIOException($"poll {Name}", -ready);
        }

        length = Read(buffer);
        return true;
    }

    /// <summary>Writes one frame (behind its virtio header, if any); returns the bytes written.</summary>
    /// <exception cref="NativeIOException">For example EIO while the interface is down.</exception>
    public int Write(ReadOnlySpan<byte> frame)
    {
        var written = TryWrite(frame, out var errno);
        return written >= 0 ? written : throw new NativeIOException($"write {Name}", errno);
    }

    /// <summary>Writes one frame; returns the bytes written, or -1 with the errno, so a forwarding loop can count drops without exceptions.</summary>
    public int TryWrite(ReadOnlySpan<byte> frame, out int errno)
    {
        fixed (byte* pointer = frame)
        {
            while (true)
            {
                var written = LibC.Write(_fd, pointer, (nuint)frame.Length);
                if (written >= 0)
                {
                    errno = 0;
                    return (int)written;
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

    private static TapOffloads SetOffloads(FileDescriptorHandle fd, string name, TapOffloads requested)
    {
        ReadOnlySpan<TapOffloads> dropInTurn =
            [TapOffloads.Uso4 | TapOffloads.Uso6, TapOffloads.Ufo, TapOffloads.TsoEcn, TapOffloads.Tso4 | TapOffloads.Tso6, TapOffloads.Checksum];
        var offloads = requested;
        foreach (var drop in dropInTurn)
        {
            if (LibC.Ioctl(fd, TunSetOffload, (nint)(uint)offloads) == 0)
            {
                return offloads;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno != LibC.EINVAL)
            {
                throw new NativeIOException($"TUNSETOFFLOAD {name}", errno);
            }

            offloads &= ~drop;
        }

        Check(LibC.Ioctl(fd, TunSetOffload, 0), $"TUNSETOFFLOAD {name}");
        return TapOffloads.None;
    }

    private static void Check(int result, string operation)
    {
        if (result != 0)
        {
            throw new NativeIOException(operation, Marshal.GetLastPInvokeError());
        }
    }
}
