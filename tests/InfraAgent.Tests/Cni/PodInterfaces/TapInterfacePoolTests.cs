using System.Collections.Concurrent;
using InfraAgent.Cni.PodInterfaces;
using Netlink;
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
    public void TryTake_FreeAtHomeAndParked_HandsOutTheParkedOneThenHome()
    {
        var pool = new TapInterfacePool();
        pool.Add(Tap(1), inUse: true);
        pool.Add(Tap(2), inUse: false);
        var parked = Parked(Tap(1), out var left);
        pool.Park(parked);

        Assert.True(pool.TryTake(out var first, out var from));
        Assert.Equal(Tap(1), first);
        Assert.Same(parked, from);
        Assert.True(pool.TryTake(out var home, out from));
        Assert.Equal((Tap(2), null), (home, from));
        Assert.False(pool.TryTake(out _, out _));
        Assert.False(pool.TryUnpark("P4TAP_1", out _)); // the Add has it, the returner gets nothing
        Assert.Equal(0, left());
    }

    [Fact]
    public void TryUnpark_ParkedTap_ClaimedOnceAndNotHandedOutAfter()
    {
        var pool = new TapInterfacePool();
        pool.Add(Tap(1), inUse: true);
        var parked = Parked(Tap(1), out _);
        pool.Park(parked);

        Assert.True(pool.TryUnpark("P4TAP_1", out var claimed));
        Assert.Same(parked, claimed);
        Assert.False(pool.TryUnpark("P4TAP_1", out _));
        Assert.False(pool.TryTake(out _, out _));
        pool.Release("P4TAP_1");
        Assert.True(pool.TryTake(out var again, out var from));
        Assert.Equal((Tap(1), null), (again, from));
    }

    [Fact]
    public void Left_CalledTwice_ClosesTheNamespaceAndRunsTheCleanUpOnce()
    {
        var parked = Parked(Tap(1), out var left);

        parked.Left();
        parked.Left();

        Assert.Equal(1, left());
        Assert.True(parked.Namespace.SafeFileHandle.IsClosed);
    }

    private static ParkedTap Parked(TapInterface tap, out Func<int> timesLeft)
    {
        var count = 0;
        timesLeft = () => count;
        return new ParkedTap(tap, NetworkNamespaceHandle.OpenProcessNamespace(), "eth0", () => count++);
    }
}
