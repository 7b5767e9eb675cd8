using System.Collections.Concurrent;
using InfraAgent.Cni.PodInterfaces;
using Packets;
using TestSupport;
using Xunit;

namespace InfraAgent.Tests.Cni.PodInterfaces;

public sealed class TapInterfacePoolTests
{
    private static TapInterface Tap(int i) => new($"P4TAP_{i}", MacAddress.Parse($"02:00:00:00:00:{i:x2}"));

    [Fact]
    public void TryTake_InDiscoveryOrder_SkipsInUseAndFailsWhenEmpty()
    {
        var pool = new TapInterfacePool();
        pool.Add(Tap(1), inUse: false);
        pool.Add(Tap(2), inUse: true);
        pool.Add(Tap(3), inUse: false);

        Assert.True(pool.TryTake(out var first));
        Assert.True(pool.TryTake(out var second));
        Assert.False(pool.TryTake(out _));
        Assert.Equal(["P4TAP_1", "P4TAP_3"], new[] { first.Name, second.Name });

        pool.Release("P4TAP_1");
        Assert.True(pool.TryTake(out var again));
        Assert.Equal("P4TAP_1", again.Name);
    }

    [Fact]
    public void Add_SameNameWithNewMac_ReplacesIt()
    {
        var pool = new TapInterfacePool();
        pool.Add(Tap(1), inUse: true);
        var recreated = Tap(1) with { Mac = MacAddress.Parse("02:aa:00:00:00:01") };

        pool.Add(recreated, inUse: false);

        Assert.Equal(1, pool.Count);
        Assert.True(pool.TryTake(out var taken));
        Assert.Equal(recreated, taken);
    }

    [Fact]
    public async Task TryTake_Concurrent_NeverHandsOutOneTapTwice()
    {
        var pool = new TapInterfacePool();
        for (var i = 0; i < 200; i++)
        {
            pool.Add(Tap(i % 256) with { Name = $"T{i}" }, inUse: false);
        }

        var taken = new ConcurrentBag<string>();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            while (pool.TryTake(out var tap))
            {
                taken.Add(tap.Name);
            }
        })));

        Assert.Equal(200, taken.Count);
        Assert.Equal(200, taken.Distinct().Count());
        Assert.Equal(0, pool.FreeCount);
    }

    [Fact]
    public async Task TakeAsync_NoneFreeButOneReturning_WaitsAndGetsItWhenReleased()
    {
        var pool = new TapInterfacePool();
        pool.Add(Tap(1), inUse: true);
        pool.MarkReturning("P4TAP_1");

        var taking = pool.TakeAsync(CancellationToken.None);
        Assert.False(taking.IsCompleted);
        pool.Release("P4TAP_1");

        Assert.Equal(Tap(1), await taking.DefaultTimeout());
        Assert.Equal(0, pool.FreeCount);
    }

    [Fact]
    public async Task TakeAsync_NoneFreeNoneReturning_ReturnsNull()
    {
        var pool = new TapInterfacePool();
        pool.Add(Tap(1), inUse: true);

        Assert.Null(await pool.TakeAsync(CancellationToken.None).DefaultTimeout());
    }

    [Fact]
    public async Task TakeAsync_ReturnGivenUp_WaiterGetsNull()
    {
        var pool = new TapInterfacePool();
        pool.Add(Tap(1), inUse: true);
        pool.MarkReturning("P4TAP_1");
        var taking = pool.TakeAsync(CancellationToken.None);

        pool.EndReturning("P4TAP_1");

        Assert.Null(await taking.DefaultTimeout());
        Assert.Equal(0, pool.FreeCount);
    }

    [Fact]
    public async Task TakeAsync_ManyWaitersFewReturns_EachTapToOneWaiter()
    {
        var pool = new TapInterfacePool();
        for (var i = 0; i < 4; i++)
        {
            pool.Add(Tap(i), inUse: true);
            pool.MarkReturning(Tap(i).Name);
        }

        var takers = Enumerable.Range(0, 4).Select(_ => pool.TakeAsync(CancellationToken.None)).ToList();
        for (var i = 0; i < 4; i++)
        {
            pool.Release(Tap(i).Name);
        }

        var taken = await Task.WhenAll(takers).DefaultTimeout();
        Assert.Equal(4, taken.Select(t => t!.Value.Name).Distinct().Count()); // a taker returns null only when nothing is returning
    }
}
