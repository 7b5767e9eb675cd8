using InfraAgent.Cni;
using TestSupport;
using Xunit;

namespace InfraAgent.Tests.Cni;

public sealed class KeyedLockTests
{
    [Fact]
    public async Task AcquireAsync_SameKey_SecondWaitsForTheFirst()
    {
        var locks = new KeyedLock();
        var first = await locks.AcquireAsync("pod-a", CancellationToken.None);

        var second = locks.AcquireAsync("pod-a", CancellationToken.None);
        Assert.False(second.IsCompleted);
        first.Dispose();

        (await second.DefaultTimeout()).Dispose();
        Assert.Equal(0, locks.Count);
    }

    [Fact]
    public async Task AcquireAsync_DifferentKeys_NeverWait()
    {
        var locks = new KeyedLock();
        var holders = new List<KeyedLock.Holder>();
        for (var i = 0; i < 100; i++)
        {
            var acquiring = locks.AcquireAsync($"pod-{i}", CancellationToken.None);
            Assert.True(acquiring.IsCompletedSuccessfully);
            holders.Add(await acquiring);
        }

        holders.ForEach(h => h.Dispose());
        Assert.Equal(0, locks.Count);
    }

    [Fact]
    public async Task AcquireAsync_CancelledWhileWaiting_ThrowsAndTheKeyIsFreedWithItsHolder()
    {
        var locks = new KeyedLock();
        var held = await locks.AcquireAsync("pod-a", CancellationToken.None);
        using var cancel = new CancellationTokenSource();

        var waiting = locks.AcquireAsync("pod-a", cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        held.Dispose();
        held.Dispose(); // a second dispose releases nothing more
        Assert.Equal(0, locks.Count);
        (await locks.AcquireAsync("pod-a", CancellationToken.None).DefaultTimeout()).Dispose();
    }
}
