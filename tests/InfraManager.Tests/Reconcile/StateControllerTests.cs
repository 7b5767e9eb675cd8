using InfraManager.Monitoring;
using InfraManager.P4;
using InfraManager.Reconcile;
using InfraManager.State;
using InfraManager.Store;
using InfraManager.Tables;
using InfraManager.Tests.P4;
using Microsoft.Extensions.Logging.Abstractions;
using Packets;
using Proto.P4.V1;
using SoftTargetKit;
using TestSupport;
using Xunit;
using static SoftTargetKit.K8sDp;

namespace InfraManager.Tests.Reconcile;

/// <summary>The controller in-process against a real SoftTarget process, with a real store on disk.</summary>
#pragma warning disable CA1001 // xunit disposes it through IAsyncLifetime.DisposeAsync
public sealed class StateControllerTests : IAsyncLifetime
#pragma warning restore CA1001
{
    private static readonly ServiceKey Web = new(IPv4Address.Parse("10.96.0.10"), ServiceProtocol.Tcp, 80);

    private readonly SoftTargetProcess _target = new();
    private readonly string _storeDir = Path.Combine(Directory.CreateTempSubdirectory("k8sio-controller-").FullName, "store");
    private readonly RecordingLogger<StateController> _log = new();
    private P4RuntimeSession? _session;
    private StateStore? _store;
    private StateController? _controller;

    public Task InitializeAsync() => _target.InitializeAsync();

    public async Task DisposeAsync()
    {
        if (_controller is not null)
        {
            await _controller.StopAsync(CancellationToken.None);
            _controller.Dispose();
        }

        _store?.Dispose();
        if (_session is not null)
        {
            await _session.DisposeAsync();
        }

        await _target.DisposeAsync();
        Directory.Delete(Path.GetDirectoryName(_storeDir)!, recursive: true);
    }

    [Fact]
    public async Task Submit_WriteFailsHalfWay_RollsBackEverythingOfTheRequest()
    {
        var controller = await StartAsync();
        // Someone else's entry where the service's balance entry goes: the manager's third write fails after two succeeded.
        await _session!.WriteAsync([Insert(Member("k8s_dp_control.as_sl3_tcp", 900, 900))], Timeout());
        await _session.WriteAsync([Insert(Group("k8s_dp_control.as_sl3_tcp", 900, 900))], Timeout());
        await _session.WriteAsync([Insert(Entry("k8s_dp_control.tx_balance_tcp", ("hdr.ipv4.dst_addr", Ip("10.96.0.10")), ("hdr.tcp.dst_port", 80)).WithGroup(900))], Timeout());

        var outcome = await controller.SubmitAsync(new SetService(Web, [new BackendAddress(IPv4Address.Parse("10.244.0.3"), 8080), new BackendAddress(IPv4Address.Parse("10.244.0.4"), 8080)]), Timeout());
        var left = await ReadAllAsync();

        Assert.False(outcome.Succeeded);
        Assert.StartsWith("k8s_dp_control.tx_balance_tcp{hdr.ipv4.dst_addr=10.96.0.10, hdr.tcp.dst_port=80} → group 1: INSERT refused by the target: AlreadyExists", outcome.Error, StringComparison.Ordinal);
        Assert.Empty(_store!.State.Services);
        // Nothing of the request is left: only the gateway rule and (until the reconciler removes them) the planted entities.
        Assert.DoesNotContain(left, e => e.Contains("10.244.0.", StringComparison.Ordinal) || e.Contains(" group 1", StringComparison.Ordinal) || e.Contains("write_source_ip_table", StringComparison.Ordinal));
        Assert.Contains(_log.Entries, e => e.EventId == 804);

        // The reconciler then removes what the manager did not put there, and the request goes through.
        var repaired = await WaitAsync(async () => (await ReadAllAsync()).Count == 1);
        Assert.True(repaired, string.Join('\n', await ReadAllAsync()));
        var retried = await controller.SubmitAsync(new SetService(Web, [new BackendAddress(IPv4Address.Parse("10.244.0.3"), 8080)]), Timeout());
        Assert.True(retried.Succeeded, retried.Error);
        Assert.Equal(1 + 3 + 3, (await ReadAllAsync()).Count);
    }

    [Fact]
    public async Task Start_TargetWithStaleWrongAndMissingEntries_MadeEqualToTheStore()
    {
        // The store says: one pod, one service with one backend. The target holds a stale pod route,
        // a gateway rule with the wrong port and one correct entry of the service.
        using (var store = StateStore.Open(_storeDir, NullLogger<StateStore>.Instance))
        {
            var state = ManagerState.Empty;
            var ids = IdAllocator.From(state);
            state = new AddPod(IPv4Address.Parse("10.244.0.6"), MacAddress.Parse("02:00:00:00:00:06"), 2, "P4TAP_2").Apply(state, ids);
            state = new SetService(Web, [new BackendAddress(IPv4Address.Parse("10.244.0.6"), 8080)]).Apply(state, ids);
            store.Commit(state);
        }

        await using (var other = await P4Session.PrimaryWithPipelineAsync(_target))
        {
            await other.WriteAsync(
                Insert(PodRoute("10.244.9.9")),
                Insert(Entry("k8s_dp_control.arpt_to_port_table", ("hdr.arp.tpa", Ip("169.254.1.1"))).With("k8s_dp_control.set_dest_vport", ("p", 5))),
                Insert(Entry("k8s_dp_control.write_source_ip_table", ("meta.mod_blob_ptr_snat", 1)).With("k8s_dp_control.update_src_ip", ("new_ip", Ip("10.96.0.10")), ("new_port", 80))));
        }

        var controller = await StartAsync();
        var again = await controller.ReconcileAsync("check", Timeout());
        var tables = await ReadAllAsync();

        Assert.Contains(_log.Entries, e => e.EventId == 806 && e.Message.StartsWith("reconcile (start): 9 entities wanted, the target held 3; 7 missing written, 1 stale deleted, 1 wrong modified", StringComparison.Ordinal));
        Assert.Contains(_log.Entries, e => e.EventId == 807 && e.Message == "repair: stale, deleted: k8s_dp_control.ipv4_to_port_table{hdr.ipv4.dst_addr=10.244.9.9} → k8s_dp_control.set_dest_mac_vport(p=2, new_dmac=02:00:00:00:00:02)");
        Assert.Contains(_log.Entries, e => e.EventId == 807 && e.Message == "repair: wrong, modified: k8s_dp_control.arpt_to_port_table{hdr.arp.tpa=169.254.1.1} → k8s_dp_control.set_dest_vport(p=0)");
        Assert.Equal(0, again.Repairs);
        Assert.Equal(9, again.Present);
        Assert.Equal(9, tables.Count);
        Assert.Contains("k8s_dp_control.arpt_to_port_table{hdr.arp.tpa=169.254.1.1} → k8s_dp_control.set_dest_vport(p=0)", tables);
        Assert.DoesNotContain(tables, t => t.Contains("10.244.9.9", StringComparison.Ordinal));
    }

    private async Task<StateController> StartAsync()
    {
        _session = await P4TestSessions.StartAsync(P4TestSessions.Options(_target));
        _store ??= StateStore.Open(_storeDir, NullLogger<StateStore>.Instance);
        _controller = new StateController(_session, _store, null, new ManagerMetrics(), TimeProvider.System, _log);
        await _controller.StartAsync(Timeout());
        return _controller;
    }

    private async Task<List<string>> ReadAllAsync()
    {
        var tables = new K8sDpTables(_session!.Pipeline);
        var entities = await _session.ReadAsync(tables.OwnedFilters(), Timeout());
        return [.. entities.Select(e => tables.Describe(K8sDpTables.Normalize(e))).Order(StringComparer.Ordinal)];
    }

    private static async Task<bool> WaitAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TaskTimeoutExtensions.Default;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(50);
        }

        return true;
    }

    private static CancellationToken Timeout() => TaskTimeoutExtensions.DefaultTimeoutToken();
}
