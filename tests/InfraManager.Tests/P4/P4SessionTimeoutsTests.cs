using InfraManager.P4;
using Xunit;

namespace InfraManager.Tests.P4;

public sealed class P4SessionTimeoutsTests
{
    [Fact]
    public void NextBackoff_Defaults_DoublesFrom100MsUpTo5s()
    {
        var timeouts = P4SessionTimeouts.Default;
        var delays = new List<double>();
        for (var delay = timeouts.InitialBackoff; delays.Count < 9; delay = timeouts.NextBackoff(delay))
        {
            delays.Add(delay.TotalMilliseconds);
        }

        Assert.Equal([100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000], delays);
    }
}
