using Packets.Checksums;
using Packets.Parsing;
using Packets.Rewrite;
using Packets.Tap;

namespace Packets.Tests.Tap;

/// <summary>
/// A miniature SoftTarget for tests: copies frames, virtio header and all, between a client TAP and a
/// server TAP on two threads, DNATing service → backend on the way in and SNATing back on the way
/// out, and checks every TCP frame's checksums (finishing partial ones in a scratch copy).
/// </summary>
internal sealed class NatWire : IDisposable
{
    private readonly TapDevice _client;
    private readonly TapDevice _server;
    private readonly IPv4Address _service;
    private readonly ushort _servicePort;
    private readonly IPv4Address _backend;
    private readonly ushort _backendPort;
    private readonly Thread[] _threads;
    private volatile bool _stopping;
    private int _tcpFrames;
    private int _gsoFrames;
    private int _largestFrame;
    private int _badChecksums;
    private int _rewritten;

    public NatWire(TapDevice client, TapDevice server, IPv4Address service, ushort servicePort, IPv4Address backend, ushort backendPort)
    {
        _client = client;
        _server = server;
        _service = service;
        _servicePort = servicePort;
        _backend = backend;
        _backendPort = backendPort;
        _threads =
        [
            new Thread(() => Run(_client, _server, toServer: true)) { IsBackground = true, Name = "wire to server" },
            new Thread(() => Run(_server, _client, toServer: false)) { IsBackground = true, Name = "wire to client" },
        ];
        foreach (var thread in _threads)
        {
            thread.Start();
        }
    }

    public Exception? Failure { get; private set; }

    public int TcpFrames => Volatile.Read(ref _tcpFrames);

    public int GsoFrames => Volatile.Read(ref _gsoFrames);

    public int LargestFrame => Volatile.Read(ref _largestFrame);

    public int BadChecksums => Volatile.Read(ref _badChecksums);

    public int Rewritten => Volatile.Read(ref _rewritten);

    public void Dispose()
    {
        _stopping = true;
        foreach (var thread in _threads)
        {
            thread.Join(TimeSpan.FromSeconds(5));
        }
    }

    private void Run(TapDevice from, TapDevice to, bool toServer)
    {
        var buffer = new byte[TapDevice.MaxReadLength];
        var scratch = new byte[TapDevice.MaxReadLength];
        try
        {
            while (!_stopping)
            {
                if (!from.TryRead(buffer, TimeSpan.FromMilliseconds(100), out var length) || !VirtioNetHeader.TryRead(buffer, out var vnet))
                {
                    continue;
                }

                var frame = buffer.AsSpan(VirtioNetHeader.Size, length - VirtioNetHeader.Size);
                if (FrameHeaders.TryParse(frame, out var headers) && headers.HasTcp)
                {
                    var rewritten = toServer
                        ? headers.IPv4Destination == _service && headers.DestinationPort == _servicePort
                            && FrameRewriter.RewriteDestination(frame, ref headers, _backend, _backendPort, vnet.NeedsChecksum)
                        : headers.IPv4Source == _backend && headers.SourcePort == _backendPort
                            && FrameRewriter.RewriteSource(frame, ref headers, _service, _servicePort, vnet.NeedsChecksum);
                    if (rewritten)
                    {
                        Interlocked.Increment(ref _rewritten);
                    }

                    Check(frame, headers, vnet, scratch);
                }

                to.TryWrite(buffer.AsSpan(0, length), out _);
            }
        }
        catch (Exception exception) when (!_stopping)
        {
            Failure = exception;
        }
    }

    private void Check(ReadOnlySpan<byte> frame, in FrameHeaders headers, in VirtioNetHeader vnet, byte[] scratch)
    {
        Interlocked.Increment(ref _tcpFrames);
        if (vnet.GsoKind != VirtioGsoType.None)
        {
            Interlocked.Increment(ref _gsoFrames);
        }

        var largest = Volatile.Read(ref _largestFrame);
        while (frame.Length > largest && Interlocked.CompareExchange(ref _largestFrame, frame.Length, largest) != largest)
        {
            largest = Volatile.Read(ref _largestFrame);
        }

        var copy = scratch.AsSpan(0, frame.Length);
        frame.CopyTo(copy);
        if (vnet.NeedsChecksum)
        {
            InternetChecksum.CompletePartial(copy, vnet.ChecksumStart, vnet.ChecksumOffset);
        }

        if (!IPv4Checksums.VerifyHeader(copy, headers) || !IPv4Checksums.VerifyTransport(copy, headers))
        {
            Interlocked.Increment(ref _badChecksums);
        }
    }
}
