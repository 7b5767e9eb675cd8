using System.Runtime.InteropServices;
using Netlink.Interop;
using Packets;

namespace Netlink;

/// <summary>
/// One dedicated thread that runs synchronous netlink work in order, background work when no other
/// work waits (or after every few items of it, so that it is never held off for long). The kernel serializes link changes under the RTNL lock anyway (moving a link between
/// namespaces holds it through an rcu_barrier(), tens of milliseconds), so a single thread costs no
/// throughput; it keeps those blocking calls off the thread pool, and it lets each caller's steps
/// run back to back instead of queueing behind every other caller's move at each step.
/// <para>
/// Work running here can open clients in other namespaces with <see cref="OpenClientIn"/>: the
/// thread enters the namespace only around the socket() call, which is far cheaper than a thread per
/// namespace (<see cref="RouteNetlinkClient.OpenInNamespace(NetworkNamespaceHandle)"/>).
/// </para>
/// </summary>
public sealed class NetlinkWorker : IDisposable
{
    /// <summary>Other items run before a waiting background item gets its turn.</summary>
    public const int BackgroundEvery = 4;

    private readonly object _gate = new();
    private readonly Queue<Action> _queue = new();
    private readonly Queue<Action> _background = new();
    private readonly Thread _thread;
    private NetworkNamespaceHandle? _home; // the thread's own namespace, opened on it first thing
    private bool _stopping;
    private bool _lost; // the thread could not come back from a namespace it entered
    private int _sinceBackground;

    public NetlinkWorker(string name = "netlink")
    {
        _thread = new Thread(Run) { IsBackground = true, Name = name };
        _thread.Start();
    }

    /// <summary>Queues <paramref name="work"/> (synchronous) and completes with its result or exception.</summary>
    /// <param name="background">Runs when no other work is waiting, or once <see cref="BackgroundEvery"/> other items ran before it.</param>
    public Task<T> RunAsync<T>(Func<T> work, bool background = false)
    {
        ArgumentNullException.ThrowIfNull(work);
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Execute()
        {
            try
            {
                completion.SetResult(_lost ? throw new InvalidOperationException("the netlink worker is stuck in another network namespace") : work());
            }
            catch (Exception exception)
            {
                completion.SetException(exception);
            }
        }

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_stopping, this);
            (background ? _background : _queue).Enqueue(Execute);
            Monitor.Pulse(_gate);
        }

        return completion.Task;
    }

    /// <inheritdoc cref="RunAsync{T}(Func{T}, bool)"/>
    public Task RunAsync(Action work, bool background = false)
    {
        ArgumentNullException.ThrowIfNull(work);
        return RunAsync(
            () =>
            {
                work();
                return true;
            },
            background);
    }

    /// <summary>A client whose socket lives in <paramref name="target"/>. Only from work running on this worker.</summary>
    public RouteNetlinkClient OpenClientIn(NetworkNamespaceHandle target)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (Thread.CurrentThread != _thread || _home is null)
        {
            throw new InvalidOperationException("OpenClientIn is for work running on the netlink worker");
        }

        if (LibC.SetNamespace(target.SafeFileHandle, LibC.CLONE_NEWNET) != 0)
        {
            throw new NativeIOException($"setns {target.Path}", Marshal.GetLastPInvokeError());
        }

        try
        {
            return RouteNetlinkClient.Open();
        }
        finally
        {
            if (LibC.SetNamespace(_home.SafeFileHandle, LibC.CLONE_NEWNET) != 0)
            {
                // Anything this thread opened from now on would land in the pod's namespace.
                _lost = true;
            }
        }
    }

    /// <summary>Runs the work already queued, then ends the thread.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _stopping = true;
            Monitor.Pulse(_gate);
        }

        if (Thread.CurrentThread != _thread)
        {
            _thread.Join();
        }
    }

    private void Run()
    {
        try
        {
            _home = NetworkNamespaceHandle.OpenThreadNamespace();
        }
        catch (IOException)
        {
            // Without it OpenClientIn refuses; everything else still works.
        }

        while (true)
        {
            Action next;
            lock (_gate)
            {
                while (_queue.Count == 0 && _background.Count == 0 && !_stopping)
                {
                    Monitor.Wait(_gate);
                }

                if (_background.Count > 0 && (_queue.Count == 0 || _sinceBackground >= BackgroundEvery))
                {
                    next = _background.Dequeue();
                    _sinceBackground = 0;
                }
                else if (_queue.TryDequeue(out var queued))
                {
                    next = queued;
                    _sinceBackground++;
                }
                else
                {
                    break; // stopping, and nothing left
                }
            }

            next();
        }

        _home?.Dispose();
    }
}
