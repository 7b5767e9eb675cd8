using System.Globalization;
using TestSupport;
using TestSupport.Network;
using SoftTargetKit;
using Xunit;
using static SoftTargetKit.K8sDp;

namespace SoftTarget.Tests.Api;

[Collection(HostNetworkTests.Name)]
public sealed class DumpCommandTests : IClassFixture<SoftTargetProcess>
{
    private readonly SoftTargetProcess _target;

    public DumpCommandTests(SoftTargetProcess target)
    {
        _target = target;
    }

    [Fact]
    public async Task Dump_PrintsEntriesByNameAndPortCounters()
    {
        await using var session = await P4Session.PrimaryWithPipelineAsync(_target);
        await session.WriteAsync(Insert(PodRoute("10.244.0.6", port: 2, mac: 0x02_00_00_00_00_06)), Insert(Member("as_sl3_tcp", 17, 17)));
        var tap = HostCommands.UniqueName("st");
        try
        {
            await GnmiPorts.CreateTapAsync(_target.Gnmi, tap);

            var result = await ChildProcess.RunAsync(ChildProcess.DotnetHost,
            [
                Path.Combine(AppContext.BaseDirectory, "softtarget.dll"), "dump", "--conn", "insecure",
                "--addr", $"127.0.0.1:{_target.P4RuntimePort}", "--gnmi-addr", $"127.0.0.1:{_target.GnmiPort}",
                "--device-id", _target.DeviceId.ToString(CultureInfo.InvariantCulture),
            ]);

            Assert.True(result.ExitCode == 0, result.AllOutput);
            Assert.Contains("ipv4_to_port_table hdr.ipv4.dst_addr=10.244.0.6 -> set_dest_mac_vport(p=2, new_dmac=02:00:00:00:00:06)", result.StandardOutput, StringComparison.Ordinal);
            Assert.Contains("as_sl3_tcp member 17 -> set_default_lb_dest(ptr=17)", result.StandardOutput, StringComparison.Ordinal);
            Assert.Contains($"{tap}: in-pkts ", result.StandardOutput, StringComparison.Ordinal);
        }
        finally
        {
            await HostCommands.DeleteLinkIfPresentAsync(tap);
        }
    }
}
