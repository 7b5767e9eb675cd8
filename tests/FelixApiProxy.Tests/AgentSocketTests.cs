using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace FelixApiProxy.Tests;

public sealed class AgentSocketTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("felix-dial-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task ConnectAsync_NoListener_WaitsTheIntervalBetweenEachOfTheAttemptsThenFails()
    {
        var time = new FakeTimeProvider();
        var log = new List<string>();
        var options = ProxyOptions.Default with { SocketPath = Path.Combine(_directory, "absent.sock") };

        var connect = AgentSocket.ConnectAsync(options, time, log.Add, CancellationToken.None);
        for (var waited = 0; !connect.IsCompleted && waited < 60; waited++)
        {
            // One attempt per second of fake time: nothing more happens until the clock moves.
            var attempts = log.Count;
            await Task.Delay(20);
            Assert.Equal(attempts, log.Count);
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(20);
        }

        var e = await Assert.ThrowsAsync<IOException>(() => connect);
        Assert.StartsWith($"Could not open socket to agent at {options.SocketPath} after 10 attempts", e.Message, StringComparison.Ordinal);
        Assert.Equal(9, log.Count);
        Assert.Contains("attempt 1 of 10, next in 1 s", log[0], StringComparison.Ordinal);
    }
}
