using Microsoft.Extensions.Logging.Abstractions;
using Packets.Parsing;
using Proto.P4.V1;
using SoftTarget.DataPlane;
using SoftTarget.Ports;
using Xunit;
using static SoftTarget.Tests.DataPlane.K8sDpEngineAclTests;
using static SoftTargetKit.K8sDp;

namespace SoftTarget.Tests.DataPlane;

/// <summary>acl_conntrack ages like pinned_flows: DataPlaneService removes learned entries idle for FlowIdleSeconds.</summary>
public sealed class ConntrackAgingTests
{
    private const string A = "10.244.0.6";
    private const string B = "10.244.0.7";

    [Fact]
    public async Task IdleConnection_AgedOut_ItsReplyIsCheckedAgain()
    {
        var target = new InProcessTarget();
        var options = new DataPlaneOptions { FlowIdleSeconds = 30 };
        var service = new DataPlaneService(new PortRegistry(), target.Device, target.Engine, options, target.Time, NullLogger<DataPlaneService>.Instance);
        await service.StartAsync(CancellationToken.None);
        try
        {
            target.Write(Insert(PodRoute(A, 2)), Insert(PodRoute(B, 3)), Insert(DenyAll("ingress", A, protocol: null)));
            Assert.Equal(3, target.Send(Frames.Tcp(A, 40000, B, 80)));
            Assert.Equal(2, target.Send(Frames.Tcp(B, 80, A, 40000, TcpFlags.Syn | TcpFlags.Ack)));

            // Still in use within the idle time: a hit refreshes it.
            target.Time.Advance(TimeSpan.FromSeconds(20));
            Assert.Equal(2, target.Send(Frames.Tcp(B, 80, A, 40000, TcpFlags.Ack)));
            target.Time.Advance(TimeSpan.FromSeconds(20));
            await WaitForTicksAsync(target);
            Assert.Single(Conntrack(target));

            target.Time.Advance(TimeSpan.FromSeconds(options.FlowIdleSeconds + 1));
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (Conntrack(target).Count > 0 && DateTime.UtcNow < deadline)
            {
                // PeriodicTimer ticks once per Advance; keep the clock moving until the ageing pass has run.
                target.Time.Advance(TimeSpan.FromSeconds(1));
                await Task.Delay(20);
            }

            Assert.Empty(Conntrack(target));
            Assert.Equal(K8sDpEngine.Drop, target.Send(Frames.Tcp(B, 80, A, 40000, TcpFlags.Ack)));
        }
        finally
        {
            await service.StopAsync(CancellationToken.None);
            service.Dispose();
        }
    }

    private static List<TableEntry> Conntrack(InProcessTarget target) =>
        target.Read(new TableEntry { TableId = Names.Table("acl_conntrack").Id });

    // Lets any ageing pass the last Advance released run before the table is looked at.
    private static async Task WaitForTicksAsync(InProcessTarget target)
    {
        target.Time.Advance(TimeSpan.Zero);
        await Task.Delay(200);
    }
}
