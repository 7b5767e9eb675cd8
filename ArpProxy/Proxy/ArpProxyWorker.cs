using ArpProxy.Links;
using Packets;
using Packets.Sockets;

namespace ArpProxy.Proxy;

/// <summary>
/// Waits for the interface, answers ARP requests on it through a packet socket that only wakes for
/// ARP requests, and when the interface goes away or down goes back to waiting for it by name (it may
/// return with a new ifindex and MAC). Nothing a peer sends can stop it; SIGTERM does, and so does
/// a packet socket that cannot be opened at all (no CAP_NET_RAW), which waiting would not fix.
/// </summary>
internal sealed class ArpProxyWorker(
    ArpProxyOptions options,
    ILinkLookup links,
    LinkWaiter waiter,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<ArpProxyWorker> logger) : BackgroundService
{
    /// <summary>How long one receive blocks: the bound on noticing SIGTERM.</summary>
    public static readonly TimeSpan ReceiveTimeout = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// How often the interface is looked up while served. The kernel reports a deleted or downed
    /// interface to the socket as ENETDOWN; this also catches a changed MAC.
    /// </summary>
    public static readonly TimeSpan LinkCheckInterval = TimeSpan.FromSeconds(1);

    // ARP frames are 60 bytes; anything longer that passes the filter is cut, which is harmless.
    private const int ReceiveBufferLength = 2048;

    private const int ENXIO = 6;
    private const int ENODEV = 19;
    private const int ENETDOWN = 100;

    private readonly byte[] _received = new byte[ReceiveBufferLength];
    private readonly byte[] _reply = new byte[ArpResponder.ReplyBufferLength];

    /// <summary>Why the proxy stopped the host, if it did; the daemon exits non-zero with it.</summary>
    public NativeIOException? Failure { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (true)
        {
            var link = await waiter.WaitAsync(options.Interface, stoppingToken);

            // TryReceive blocks its thread; give it one of its own rather than a pool thread.
            await Task.Factory.StartNew(() => Serve(link, stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

            // A pause before looking again, so an interface that fails at once cannot spin this loop.
            await Task.Delay(LinkWaiter.PollInterval, time, stoppingToken);
        }
    }

    private static bool IsLinkGone(int errno) => errno is ENETDOWN or ENXIO or ENODEV;

    private void Serve(LinkStatus link, CancellationToken stoppingToken)
    {
        PacketSocket socket;
        try
        {
            socket = PacketSocket.Open(link.Index, EtherTypes.Arp, SocketFilters.ArpRequests());
        }
        catch (NativeIOException e) when (IsLinkGone(e.Errno))
        {
            ArpProxyLog.LinkLost(logger, link.Name, e.Message);
            return;
        }
        catch (NativeIOException e)
        {
            ArpProxyLog.CannotOpenSocket(logger, link.Name, e.Message);
            Failure = e;
            lifetime.StopApplication();
            return;
        }

        using (socket)
        {
            ArpProxyLog.Answering(logger, link.Name, link.Index, link.Mac, link.Address);
            var counters = default(ReplyCounters);
            var lost = Answer(socket, link, ref counters, stoppingToken);
            if (lost is not null)
            {
                ArpProxyLog.LinkLost(logger, link.Name, lost);
            }

            ArpProxyLog.Counters(logger, link.Name, counters.Answered, counters.Ignored, counters.Failed);
        }
    }

    /// <summary>Answers until stopped (returns null) or until the interface is lost (returns why).</summary>
    private string? Answer(PacketSocket socket, LinkStatus link, ref ReplyCounters counters, CancellationToken stoppingToken)
    {
        var mac = link.Mac;
        var lastCheck = time.GetTimestamp();
        while (!stoppingToken.IsCancellationRequested)
        {
            int length;
            try
            {
                if (!socket.TryReceive(_received, ReceiveTimeout, out length))
                {
                    length = -1;
                }
            }
            catch (NativeIOException e)
            {
                return e.Message;
            }

            if (length >= 0)
            {
                var verdict = ArpResponder.Respond(_received.AsSpan(0, length), mac, _reply, out var replyLength, out var request);
                if (verdict != ArpVerdict.Reply)
                {
                    counters.Ignored++;
                }
                else if (socket.TrySend(_reply.AsSpan(0, replyLength), out var errno) < 0)
                {
                    if (IsLinkGone(errno))
                    {
                        return new NativeIOException($"send on ifindex {link.Index}", errno).Message;
                    }

                    // ENOBUFS and the like: the requester asks again.
                    counters.Failed++;
                }
                else
                {
                    // Counted, never logged: no log line per packet (STYLE.md).
                    counters.Answered++;
                }
            }

            if (time.GetElapsedTime(lastCheck) >= LinkCheckInterval)
            {
                lastCheck = time.GetTimestamp();
                var now = links.Find(link.Name);
                if (now.State == LinkState.Missing)
                {
                    return "it is gone";
                }

                if (now.Index != link.Index)
                {
                    return $"it was re-created as ifindex {now.Index}";
                }

                if (now.State == LinkState.Down)
                {
                    return "it is down";
                }

                if (now.Mac != mac && !now.Mac.IsZero)
                {
                    ArpProxyLog.MacChanged(logger, link.Name, mac, now.Mac);
                    mac = now.Mac;
                }
            }
        }

        return null;
    }
}
