using Packets.Tap;

namespace SoftTarget.DataPlane;

/// <summary>
/// One TAP port's receive loop on its own thread: read a frame (with its virtio header), run k8s_dp,
/// write it to the output port's TAP. No allocation per frame; a dropped or unwritable frame is counted.
/// </summary>
internal sealed class PortWorker : IDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>What a TAP descriptor reads once its interface is destroyed (with the pod's namespace, say): it never works again.</summary>
    private const int EBADFD = 77;

    private readonly K8sDpEngine _engine;
    private readonly Func<int, TapDevice?> _outputs;
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private long _received;
    private long _forwarded;
    private long _dropped;
    private volatile bool _detached;

    public PortWorker(uint portId, TapDevice tap, K8sDpEngine engine, Func<int, TapDevice?> outputs)
    {
        PortId = portId;
        Tap = tap;
        _engine = engine;
        _outputs = outputs;
        _thread = new Thread(Run) { IsBackground = true, Name = $"port-{portId}-{tap.Name}" };
    }

    public uint PortId { get; }

    public TapDevice Tap { get; }

    public long Received => Interlocked.Read(ref _received);

    public long Forwarded => Interlocked.Read(ref _forwarded);

    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>The TAP behind this worker's descriptor was destroyed; the worker has stopped, the port needs opening anew.</summary>
    public bool Detached => _detached;

    public void Start() => _thread.Start();

    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join(PollInterval * 4);
        Tap.Dispose();
        _stop.Dispose();
    }

    private void Run()
    {
        var buffer = new byte[TapDevice.MaxReadLength];
        var headerLength = Tap.VnetHeaderLength;
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            int length;
            try
            {
                if (!Tap.TryRead(buffer, PollInterval, out length) || length <= headerLength)
                {
                    continue;
                }
            }
            catch (Packets.NativeIOException e) when (e.Errno == EBADFD)
            {
                _detached = true;
                return;
            }
            catch (Packets.NativeIOException)
            {
                // The interface is down, say; try again until it is back or we stop.
                token.WaitHandle.WaitOne(PollInterval);
                continue;
            }

            _received++;
            var partial = headerLength > 0 && VirtioNetHeader.TryRead(buffer, out var header) && header.NeedsChecksum;
            var port = _engine.Process(buffer.AsSpan(headerLength, length - headerLength), partial);
            var output = port >= 0 ? _outputs(port) : null;
            if (output is null || output.VnetHeaderLength != headerLength || output.TryWrite(buffer.AsSpan(0, length), out _) < 0)
            {
                _dropped++;
                continue;
            }

            _forwarded++;
        }
    }
}
