using ArpProxy.Links;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Packets;
using TestSupport;
using Xunit;

namespace ArpProxy.Tests.Links;

public sealed class LinkWaiterTests
{
    private static readonly LinkStatus Ready = new(LinkState.Ready, "P4TAP_0", 7, MacAddress.Parse("02:00:00:00:00:07"), IPv4Address.Parse("169.254.1.1"));

    private readonly FakeTimeProvider _time = new();
    private readonly ScriptedLookup _lookup = new();

    [Fact]
    public async Task WaitAsync_ReadyAtOnce_ReturnsWithoutPolling()
    {
        _lookup.States.Enqueue(Ready);

        var link = await NewWaiter().WaitAsync("P4TAP_0", CancellationToken.None).DefaultTimeout();

        Assert.Equal(Ready, link);
        Assert.Equal(1, _lookup.Calls);
    }

    [Fact]
    public async Task WaitAsync_MissingThenDownThenNoAddress_PollsEvery100MsUntilReady()
    {
        _lookup.States.Enqueue(LinkStatus.Missing("P4TAP_0"));
        _lookup.States.Enqueue(Ready with { State = LinkState.Down });
        _lookup.States.Enqueue(Ready with { State = LinkState.NoIPv4Address });
        _lookup.States.Enqueue(Ready);

        var waiting = NewWaiter().WaitAsync("P4TAP_0", CancellationToken.None);
        for (var polls = 1; polls < 4; polls++)
        {
            Assert.Equal(polls, _lookup.Calls);
            Assert.False(waiting.IsCompleted);
            _time.Advance(TimeSpan.FromMilliseconds(99));
            Assert.Equal(polls, _lookup.Calls);
            _time.Advance(TimeSpan.FromMilliseconds(1));
            await WaitUntilAsync(() => _lookup.Calls > polls);
        }

        Assert.Equal(Ready, await waiting.DefaultTimeout());
    }

    [Fact]
    public async Task WaitAsync_Cancelled_Throws()
    {
        _lookup.Fallback = LinkStatus.Missing("P4TAP_0");
        using var stop = new CancellationTokenSource();
        var waiting = NewWaiter().WaitAsync("P4TAP_0", stop.Token);

        await stop.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.DefaultTimeout());
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TaskTimeoutExtensions.Default);
        while (!condition())
        {
            await Task.Delay(5, timeout.Token);
        }
    }

    private LinkWaiter NewWaiter() => new(_lookup, _time, NullLogger<LinkWaiter>.Instance);

    private sealed class ScriptedLookup : ILinkLookup
    {
        private int _calls;

        public Queue<LinkStatus> States { get; } = new();

        public LinkStatus Fallback { get; set; }

        public int Calls => Volatile.Read(ref _calls);

        public LinkStatus Find(string name)
        {
            Interlocked.Increment(ref _calls);
            lock (States)
            {
                return States.TryDequeue(out var status) ? status : Fallback;
            }
        }
    }
}
