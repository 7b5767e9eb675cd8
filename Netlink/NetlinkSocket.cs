using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Netlink.Interop;
using Netlink.Messages;
using Packets;

namespace Netlink;

/// <summary>
/// A NETLINK_ROUTE socket: one request at a time, each with a fresh sequence number; replies with another
/// sequence number or port id (left over from a request that timed out) are skipped. The socket belongs
/// for life to the network namespace of the thread that created it, whichever thread uses it later.
/// </summary>
internal sealed unsafe class NetlinkSocket : IDisposable
{
    /// <summary>rtnetlink answers inside sendmsg, so the reply is queued at once; this only guards against a lost one.</summary>
    private const int ReplyTimeoutMilliseconds = 10_000;

    private const int DumpAttempts = 5;

    private readonly SafeFileHandle _fd;
    private readonly uint _portId;
    private readonly Lock _lock = new();
    private byte[] _buffer = new byte[32 * 1024];
    private uint _sequence;

    private NetlinkSocket(SafeFileHandle fd, uint portId)
    {
        _fd = fd;
        _portId = portId;
    }

    /// <summary>A message of a reply: its type and the bytes after the netlink header.</summary>
    public delegate void MessageHandler(ushort type, ReadOnlySpan<byte> payload);

    /// <summary>Turns one dump message into a value, or skips it.</summary>
    public delegate bool MessageParser<T>(ushort type, ReadOnlySpan<byte> payload, [MaybeNullWhen(false)] out T value);

    /// <summary>Opens and binds a socket in the calling thread's network namespace.</summary>
    public static NetlinkSocket Open()
    {
        var number = LibC.Socket(LibC.AF_NETLINK, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, LibC.NETLINK_ROUTE);
        if (number < 0)
        {
            throw new NativeIOException("socket AF_NETLINK NETLINK_ROUTE", Marshal.GetLastPInvokeError());
        }

        var fd = new SafeFileHandle(number, ownsHandle: true);
        try
        {
            // Extended acks explain EINVAL and friends; capped acks do not echo our request back. Both are optional.
            var on = 1;
            LibC.SetSocketOption(fd, LibC.SOL_NETLINK, LibC.NETLINK_EXT_ACK, &on, sizeof(int));
            LibC.SetSocketOption(fd, LibC.SOL_NETLINK, LibC.NETLINK_CAP_ACK, &on, sizeof(int));

            var address = new LibC.NetlinkAddress { Family = LibC.AF_NETLINK };
            var size = (uint)sizeof(LibC.NetlinkAddress);
            if (LibC.Bind(fd, &address, size) != 0)
            {
                throw new NativeIOException("bind AF_NETLINK", Marshal.GetLastPInvokeError());
            }

            if (LibC.GetSocketName(fd, &address, &size) != 0)
            {
                throw new NativeIOException("getsockname AF_NETLINK", Marshal.GetLastPInvokeError());
            }

            return new NetlinkSocket(fd, address.PortId);
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Sends a request with NLM_F_ACK and waits for the acknowledgement; reply messages before it (the
    /// answer to a GET) go to <paramref name="onReply"/>.
    /// </summary>
    /// <exception cref="NetlinkException">The kernel answered with an error.</exception>
    public void Execute(NetlinkRequest request, string operation, MessageHandler? onReply = null)
    {
        Debug.Assert((request.Flags & NetlinkFlags.Ack) != 0, "an acknowledged request asks for the ack");
        lock (_lock)
        {
            Transact(request, operation, dump: false, onReply);
        }
    }

    /// <summary>
    /// Sends an NLM_F_DUMP request and collects the parsed messages until NLMSG_DONE, starting again
    /// (a few times) when the kernel flags the dump as interrupted by a concurrent change.
    /// </summary>
    public List<T> Dump<T>(NetlinkRequest request, string operation, MessageParser<T> parse)
    {
        Debug.Assert((request.Flags & NetlinkFlags.Dump) == NetlinkFlags.Dump, "a dump request");
        var results = new List<T>();
        void Collect(ushort type, ReadOnlySpan<byte> payload)
        {
            if (parse(type, payload, out var value))
            {
                results.Add(value);
            }
        }

        lock (_lock)
        {
            for (var attempt = 1; ; attempt++)
            {
                results.Clear();
                if (!Transact(request, operation, dump: true, Collect))
                {
                    return results;
                }

                if (attempt == DumpAttempts)
                {
                    throw new NetlinkException($"{operation}: the dump was interrupted by concurrent changes {DumpAttempts} times");
                }
            }
        }
    }

    public void Dispose() => _fd.Dispose();

    /// <summary>Returns true when a dump came back flagged NLM_F_DUMP_INTR.</summary>
    private bool Transact(NetlinkRequest request, string operation, bool dump, MessageHandler? onReply)
    {
        ObjectDisposedException.ThrowIf(_fd.IsClosed, this);
        _sequence = _sequence == uint.MaxValue ? 1 : _sequence + 1;
        var sequence = _sequence;
        Send(request.Stamp(sequence, _portId), operation);

        var interrupted = false;
        while (true)
        {
            var datagram = _buffer.AsSpan(0, Receive(operation));
            while (datagram.Length >= NetlinkMessageHeader.Size)
            {
                var header = MemoryMarshal.Read<NetlinkMessageHeader>(datagram);
                if (header.Length < NetlinkMessageHeader.Size || header.Length > datagram.Length)
                {
                    throw new NetlinkException($"{operation}: malformed reply (message length {header.Length} in a {datagram.Length}-byte datagram)");
                }

                var payload = datagram[NetlinkMessageHeader.Size..(int)header.Length];
                var next = NetlinkRequest.Align((int)header.Length);
                datagram = next >= datagram.Length ? default : datagram[next..];
                if (header.Sequence != sequence || header.PortId != _portId)
                {
                    continue;
                }

                interrupted |= (header.Flags & NetlinkFlags.DumpInterrupted) != 0;
                switch (header.Type)
                {
                    case NetlinkMessageTypes.Noop:
                        break;
                    case NetlinkMessageTypes.Error:
                        var error = ReadError(header, payload, out var kernelMessage);
                        if (error != 0)
                        {
                            throw new NetlinkException(operation, -error, kernelMessage);
                        }

                        if (!dump)
                        {
                            return interrupted;
                        }

                        break;
                    case NetlinkMessageTypes.Done:
                        var status = payload.Length >= sizeof(int) ? MemoryMarshal.Read<int>(payload) : 0;
                        if (status < 0)
                        {
                            throw new NetlinkException(operation, -status, ReadExtendedAck(header, payload[sizeof(int)..]));
                        }

                        if (dump)
                        {
                            return interrupted;
                        }

                        break;
                    case NetlinkMessageTypes.Overrun:
                        throw new NetlinkException($"{operation}: the kernel reported a netlink overrun");
                    default:
                        onReply?.Invoke(header.Type, payload);
                        break;
                }
            }
        }
    }

    /// <summary>struct nlmsgerr: the negated errno (0 for an ack), our request's header, and maybe extended-ack attributes.</summary>
    private static int ReadError(NetlinkMessageHeader header, ReadOnlySpan<byte> payload, out string? kernelMessage)
    {
        kernelMessage = null;
        if (payload.Length < sizeof(int) + NetlinkMessageHeader.Size)
        {
            return payload.Length >= sizeof(int) ? MemoryMarshal.Read<int>(payload) : 0;
        }

        var error = MemoryMarshal.Read<int>(payload);
        var echoed = MemoryMarshal.Read<NetlinkMessageHeader>(payload[sizeof(int)..]);
        var echoedLength = (header.Flags & NetlinkFlags.Capped) != 0 ? NetlinkMessageHeader.Size : NetlinkRequest.Align((int)echoed.Length);
        var attributesStart = sizeof(int) + echoedLength;
        if (attributesStart <= payload.Length)
        {
            kernelMessage = ReadExtendedAck(header, payload[attributesStart..]);
        }

        return error;
    }

    private static string? ReadExtendedAck(NetlinkMessageHeader header, ReadOnlySpan<byte> attributes)
    {
        if ((header.Flags & NetlinkFlags.AckTlvs) == 0)
        {
            return null;
        }

        var reader = new NetlinkAttributeReader(attributes);
        while (reader.TryRead(out var type, out var value))
        {
            if (type == AttributeTypes.ErrorMessage)
            {
                return NetlinkAttributeReader.ReadString(value);
            }
        }

        return null;
    }

    private void Send(ReadOnlySpan<byte> message, string operation)
    {
        var kernel = new LibC.NetlinkAddress { Family = LibC.AF_NETLINK };
        fixed (byte* bytes = message)
        {
            while (true)
            {
                var sent = LibC.SendTo(_fd, bytes, (nuint)message.Length, 0, &kernel, (uint)sizeof(LibC.NetlinkAddress));
                if (sent == message.Length)
                {
                    return;
                }

                var errno = sent < 0 ? Marshal.GetLastPInvokeError() : LibC.EINVAL;
                if (errno != LibC.EINTR)
                {
                    throw new NativeIOException($"{operation}: send", errno);
                }
            }
        }
    }

    /// <summary>Receives one datagram into the buffer, growing it first if the datagram would not fit.</summary>
    private int Receive(string operation)
    {
        var deadline = Environment.TickCount64 + ReplyTimeoutMilliseconds;
        while (true)
        {
            var remaining = deadline - Environment.TickCount64;
            if (remaining <= 0)
            {
                throw new TimeoutException($"{operation}: no reply from the kernel in {ReplyTimeoutMilliseconds / 1000} s");
            }

            if (!WaitReadable((int)remaining, operation))
            {
                continue;
            }

            fixed (byte* buffer = _buffer)
            {
                // MSG_TRUNC makes netlink report the datagram's real length, so a large one is never cut.
                var length = LibC.Receive(_fd, buffer, (nuint)_buffer.Length, LibC.MSG_PEEK | LibC.MSG_TRUNC | LibC.MSG_DONTWAIT);
                if (length < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno is LibC.EINTR or LibC.EAGAIN)
                    {
                        continue;
                    }

                    throw new NativeIOException($"{operation}: recv", errno);
                }

                if (length > _buffer.Length)
                {
                    _buffer = new byte[NetlinkRequest.Align((int)length)];
                    continue;
                }
            }

            fixed (byte* buffer = _buffer)
            {
                var length = LibC.Receive(_fd, buffer, (nuint)_buffer.Length, LibC.MSG_DONTWAIT);
                if (length >= 0)
                {
                    return (int)length;
                }

                var errno = Marshal.GetLastPInvokeError();
                if (errno is not (LibC.EINTR or LibC.EAGAIN))
                {
                    throw new NativeIOException($"{operation}: recv", errno);
                }
            }
        }
    }

    /// <summary>poll for POLLIN; false on timeout or EINTR (the runtime signals threads to suspend them for GC).</summary>
    private bool WaitReadable(int milliseconds, string operation)
    {
        var added = false;
        try
        {
            _fd.DangerousAddRef(ref added);
            var descriptor = new LibC.PollDescriptor { Fd = (int)_fd.DangerousGetHandle(), Events = LibC.POLLIN };
            var result = LibC.Poll(&descriptor, 1, milliseconds);
            if (result >= 0)
            {
                return result > 0;
            }

            var errno = Marshal.GetLastPInvokeError();
            return errno == LibC.EINTR ? false : throw new NativeIOException($"{operation}: poll", errno);
        }
        finally
        {
            if (added)
            {
                _fd.DangerousRelease();
            }
        }
    }
}
