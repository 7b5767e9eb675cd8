using DaemonHost.Configuration;
using Grpc.Core;
using InfraManager.P4;
using Proto.P4.V1;
using SoftTargetKit;
using TestSupport;
using Xunit;
using static SoftTargetKit.K8sDp;

namespace InfraManager.Tests.P4;

/// <summary>The manager's P4Runtime session against a real softtarget process over real gRPC, a fresh target per test.</summary>
public sealed class P4RuntimeSessionTests : IAsyncLifetime
{
    private const int WriteRequestEvent = 617;
    private readonly SoftTargetProcess _target = new();
    private readonly RecordingLogger<P4RuntimeSession> _log = new();

    public Task InitializeAsync() => _target.InitializeAsync();

    public Task DisposeAsync() => _target.DisposeAsync();

    private static CancellationToken Timeout => TaskTimeoutExtensions.DefaultTimeoutToken();

    private static Entity AllTableEntries => new() { TableEntry = new TableEntry() };

    [Fact]
    public async Task Start_FreshTarget_LoadsThePipelineFromP4InfoPath()
    {
        await using var session = await P4TestSessions.StartAsync(P4TestSessions.Options(_target), logger: _log);

        Assert.True(session.PipelineFreshlyLoaded);
        Assert.True(session.IsReady);
        var reply = await new P4Runtime.P4RuntimeClient(_target.P4Runtime).GetForwardingPipelineConfigAsync(
            new GetForwardingPipelineConfigRequest { DeviceId = _target.DeviceId }, cancellationToken: Timeout);
        Assert.Equal(SoftTargetProcess.K8sDpP4Info, reply.Config.P4Info);
        Assert.Equal(0UL, reply.Config.Cookie.Cookie_);
        Assert.Equal(38984944u, session.Pipeline.Table("ipv4_to_port_table").Id);
        Assert.Contains(_log.Entries, e => e.Message.Contains("P4Runtime server version is 1.4.1", StringComparison.Ordinal));
        // No k8s_dp.pb.bin here: said once, and the load goes on with empty bytes.
        Assert.Equal(1, _log.Count(609));
    }

    [Fact]
    public async Task Start_TargetAlreadyHasThePipeline_AdoptsItAndKeepsItsEntries()
    {
        await using (var controller = await P4Session.PrimaryWithPipelineAsync(_target))
        {
            await controller.WriteAsync(Insert(PodRoute("10.244.0.6")));
        }

        await using var session = await P4TestSessions.StartAsync(P4TestSessions.Options(_target), logger: _log);

        Assert.False(session.PipelineFreshlyLoaded);
        var entry = Assert.Single(await session.ReadAsync([AllTableEntries], Timeout));
        Assert.Equal(PodRoute("10.244.0.6").Match, entry.TableEntry.Match);
        Assert.Equal(0, _log.Count(606));
    }

    [Fact]
    public async Task Start_SecondSessionWithLaterElectionId_TakesOverAndTheFirstComesBackWhenItLeaves()
    {
        await using var first = await P4TestSessions.StartAsync(P4TestSessions.Options(_target));
        var firstBack = new TaskCompletionSource<P4ReconnectedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        first.Reconnected += (_, e) => firstBack.TrySetResult(e);

        var second = await P4TestSessions.StartAsync(P4TestSessions.Options(_target), time: new OffsetTimeProvider(TimeSpan.FromMinutes(1)));
        try
        {
            Assert.True(second.ElectionId > first.ElectionId);
            Assert.False(second.PipelineFreshlyLoaded);
            await second.WriteAsync([Insert(PodRoute("10.244.0.6"))], Timeout);

            // The target refuses the backup's writes, or the backup knows it is one and waits, then gives up.
            var refused = await Assert.ThrowsAsync<P4RuntimeException>(() => first.WriteAsync([Insert(PodRoute("10.244.0.7"))], Timeout));
            Assert.True(refused.Code is StatusCode.PermissionDenied or StatusCode.Unavailable, refused.ToString());
            Assert.False(Assert.Single(refused.UpdateStatuses).IsOk);
        }
        finally
        {
            await second.DisposeAsync();
        }

        var back = await firstBack.Task.DefaultTimeout();
        Assert.False(back.PipelineReloaded);
        await first.WriteAsync([Insert(PodRoute("10.244.0.7"))], Timeout);
        Assert.Equal(2, (await first.ReadAsync([AllTableEntries], Timeout)).Count);
    }

    [Fact]
    public async Task Write_2500Entries_ThreeWriteRequestsAndAllRead()
    {
        await using var session = await P4TestSessions.StartAsync(P4TestSessions.Options(_target), logger: _log);
        var updates = Enumerable.Range(0, 2500).Select(i => Insert(PodRoute($"10.245.{i / 250}.{i % 250}"))).ToList();

        await session.WriteAsync(updates, Timeout);

        Assert.Equal(3, _log.Count(WriteRequestEvent));
        Assert.Contains(_log.Entries, e => e.EventId == WriteRequestEvent && e.Message == "WriteRequest 3 of 3: 500 updates");
        Assert.Equal(2500, (await session.ReadAsync([AllTableEntries], Timeout)).Count);
    }

    [Fact]
    public async Task Write_BatchWithDuplicate_PerUpdateCodesInRequestOrder()
    {
        await using var session = await P4TestSessions.StartAsync(P4TestSessions.Options(_target));

        var error = await Assert.ThrowsAsync<P4RuntimeException>(() => session.WriteAsync(
            [Insert(PodRoute("10.244.0.6")), Insert(PodRoute("10.244.0.7")), Insert(PodRoute("10.244.0.6")), Insert(PodRoute("10.244.0.8"))],
            Timeout));

        Assert.Equal(StatusCode.Unknown, error.Code);
        Assert.Equal([StatusCode.OK, StatusCode.OK, StatusCode.AlreadyExists, StatusCode.OK], error.UpdateStatuses.Select(s => s.Code));
        Assert.Equal([2], error.FailedUpdates());
        Assert.Contains("1 of 4 updates failed; first: update 2: AlreadyExists", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, (await session.ReadAsync([AllTableEntries], Timeout)).Count);
    }

    [Fact]
    public async Task Write_FailuresInLaterRequests_IndexesCountFromTheCallersList()
    {
        await using var session = await P4TestSessions.StartAsync(P4TestSessions.Options(_target));
        var updates = Enumerable.Range(0, 1500).Select(i => Insert(PodRoute($"10.245.{i / 250}.{i % 250}"))).ToList();
        updates[1200] = Insert(PodRoute("10.245.0.3"));
        updates[1499] = Delete(PodRoute("10.246.0.1"));

        var error = await Assert.ThrowsAsync<P4RuntimeException>(() => session.WriteAsync(updates, Timeout));

        Assert.Equal(1500, error.UpdateStatuses.Count);
        Assert.Equal([1200, 1499], error.FailedUpdates());
        Assert.Equal(StatusCode.AlreadyExists, error.UpdateStatuses[1200].Code);
        Assert.Equal(StatusCode.NotFound, error.UpdateStatuses[1499].Code);
    }

    [Fact]
    public async Task Read_TableFilter_ReturnsWhatWasWrittenToThatTable()
    {
        await using var session = await P4TestSessions.StartAsync(P4TestSessions.Options(_target));
        var route = PodRoute("10.244.0.6", port: 3, mac: 0x02_00_00_00_00_03);
        var member = Member("as_sl3_tcp", 1, 0x10);
        await session.WriteAsync([Insert(route), Insert(member)], Timeout);

        var routes = await session.ReadAsync([new Entity { TableEntry = new TableEntry { TableId = session.Pipeline.Table("ipv4_to_port_table").Id } }], Timeout);
        var members = await session.ReadAsync([new Entity { ActionProfileMember = new ActionProfileMember { ActionProfileId = session.Pipeline.ActionProfile("as_sl3_tcp").Id } }], Timeout);

        Assert.Equal(route, Assert.Single(routes).TableEntry);
        Assert.Equal(member, Assert.Single(members).ActionProfileMember);
    }

    [Fact]
    public async Task TargetRestarts_SessionReconnectsReloadsThePipelineAndSaysSo()
    {
        await using var session = await P4TestSessions.StartAsync(P4TestSessions.Options(_target), logger: _log);
        await session.WriteAsync([Insert(PodRoute("10.244.0.6"))], Timeout);
        var reconnected = new TaskCompletionSource<P4ReconnectedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        session.Reconnected += (_, _) => throw new InvalidOperationException("a subscriber that fails");
        session.Reconnected += (_, e) => reconnected.TrySetResult(e);

        await _target.RestartAsync();

        var news = await reconnected.Task.DefaultTimeout();
        Assert.True(news.PipelineReloaded, _log.ToString());
        Assert.True(session.PipelineFreshlyLoaded);
        Assert.True(session.IsReady);
        var reply = await new P4Runtime.P4RuntimeClient(_target.P4Runtime).GetForwardingPipelineConfigAsync(
            new GetForwardingPipelineConfigRequest { DeviceId = _target.DeviceId }, cancellationToken: Timeout);
        Assert.Equal(SoftTargetProcess.K8sDpP4Info, reply.Config.P4Info);
        Assert.Empty(await session.ReadAsync([AllTableEntries], Timeout));
        await session.WriteAsync([Insert(PodRoute("10.244.0.6"))], Timeout);
        Assert.Contains(_log.Entries, e => e.EventId == 611);
        Assert.Equal(1, _log.Count(613));
    }

    [Fact]
    public async Task Write_WhileTheTargetIsDown_FailsUnavailableWithEveryUpdateUnsent()
    {
        await using var session = await P4TestSessions.StartAsync(P4TestSessions.Options(_target), P4TestSessions.Quick with { Ready = TimeSpan.FromSeconds(1) });

        await _target.KillAsync();
        var error = await Assert.ThrowsAsync<P4RuntimeException>(() => session.WriteAsync([Insert(PodRoute("10.244.0.6")), Insert(PodRoute("10.244.0.7"))], Timeout));

        Assert.Equal(StatusCode.Unavailable, error.Code);
        Assert.Equal(2, error.UpdateStatuses.Count);
        Assert.All(error.UpdateStatuses, s => Assert.Equal(StatusCode.Unavailable, s.Code));
        Assert.Contains($"127.0.0.1:{_target.P4RuntimePort}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Write_IssuedWhileReconnecting_WaitsAndGoesToTheRestartedTarget()
    {
        await using var session = await P4TestSessions.StartAsync(P4TestSessions.Options(_target), P4TestSessions.Quick with { Ready = TimeSpan.FromSeconds(30) });
        await _target.KillAsync();
        while (session.IsReady)
        {
            await Task.Delay(20, Timeout);
        }

        var write = session.WriteAsync([Insert(PodRoute("10.244.0.6"))], Timeout);
        await _target.RestartAsync();
        await write.DefaultTimeout();

        Assert.Single(await session.ReadAsync([AllTableEntries], Timeout));
    }

    [Fact]
    public async Task Start_UnknownDeviceId_FailsAtOnceWithNotFound()
    {
        var options = P4TestSessions.Options(_target);
        options.DeviceId = 9;

        var error = await Assert.ThrowsAsync<DaemonHost.DaemonStartException>(() => P4TestSessions.StartAsync(options));

        var refusal = Assert.IsType<P4RuntimeException>(error.InnerException);
        Assert.Equal(StatusCode.NotFound, refusal.Code);
        Assert.Contains("device id 9", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_NothingListens_GivesUpAfterTheStartTimeoutNamingTheAddress()
    {
        var options = P4TestSessions.Options(_target);
        var port = FreePort.Next();
        options.Infrap4dGrpcServer.Addr = $"127.0.0.1:{port}";

        var error = await Assert.ThrowsAsync<TimeoutException>(() => P4TestSessions.StartAsync(options, P4TestSessions.Quick with { Start = TimeSpan.FromSeconds(1) }));

        Assert.True(error.Message.StartsWith($"P4Runtime target 127.0.0.1:{port}: not ready within 1 s: Capabilities: Unavailable", StringComparison.Ordinal), error.Message);
        Assert.Contains("Connection refused", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_BrokenP4InfoFile_ConfigurationErrorNamingTheKey()
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, "tables {\n  preamble { id: 1 name: \"t\" }\n  size: x\n}\n");
            var options = P4TestSessions.Options(_target);
            options.P4InfoPath = file;

            var error = await Assert.ThrowsAsync<DaemonConfigurationException>(() => P4TestSessions.StartAsync(options));

            Assert.StartsWith($"P4InfoPath: {file}: line 3", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
