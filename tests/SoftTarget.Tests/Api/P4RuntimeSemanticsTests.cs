using Google.Protobuf;
using Grpc.Core;
using Proto.P4.V1;
using SoftTargetKit;
using Xunit;
using static SoftTargetKit.K8sDp;

namespace SoftTarget.Tests.Api;

/// <summary>
/// Each rule of p4runtime-semantics.md, over real gRPC against a running softtarget with the k8s_dp
/// P4Info. Every test takes the primary role with a fresh election id and re-commits the pipeline,
/// which clears all state.
/// </summary>
public sealed class P4RuntimeSemanticsTests : IClassFixture<SoftTargetProcess>
{
    private readonly SoftTargetProcess _target;

    public P4RuntimeSemanticsTests(SoftTargetProcess target)
    {
        _target = target;
    }

    [Fact]
    public async Task Capabilities_ReportsP4RuntimeVersion()
    {
        var reply = await new P4Runtime.P4RuntimeClient(_target.P4Runtime).CapabilitiesAsync(new CapabilitiesRequest());

        Assert.Equal("1.4.1", reply.P4RuntimeApiVersion);
    }

    [Fact]
    public async Task Write_UnknownDevice_NotFound()
    {
        await using var session = await P4Session.PrimaryWithPipelineAsync(_target);
        var request = new WriteRequest { DeviceId = 77, ElectionId = session.ElectionId };
        request.Updates.Add(Insert(PodRoute("10.244.0.6")));

        var error = await Assert.ThrowsAsync<RpcException>(async () => await session.Client.WriteAsync(request));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task Write_FromBackup_PermissionDenied()
    {
        await using var primary = await P4Session.PrimaryWithPipelineAsync(_target);
        var low = new Uint128 { High = 0, Low = 1 };
        await using var backup = await P4Session.OpenAsync(_target, low);
        var told = await backup.NextArbitrationAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => backup.WriteAsync(Insert(PodRoute("10.244.0.6"))));

        Assert.Equal((int)StatusCode.AlreadyExists, told.Status.Code);
        Assert.Equal(primary.ElectionId, told.ElectionId);
        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        var setPipeline = await Assert.ThrowsAsync<RpcException>(() => backup.SetPipelineAsync(SoftTargetProcess.K8sDpP4Info));
        Assert.Equal(StatusCode.PermissionDenied, setPipeline.StatusCode);
        // Reads are for anyone.
        Assert.Empty(await backup.ReadAsync(new Entity { TableEntry = new TableEntry() }));
    }

    [Fact]
    public async Task Arbitration_PrimaryStreamCloses_BackupIsToldItIsPrimary()
    {
        var first = await P4Session.PrimaryWithPipelineAsync(_target);
        var secondId = new Uint128 { High = 0, Low = first.ElectionId.Low - 1 };
        await using var second = await P4Session.OpenAsync(_target, secondId);
        Assert.Equal((int)StatusCode.AlreadyExists, (await second.NextArbitrationAsync()).Status.Code);

        await first.DisposeAsync();

        var update = await second.NextArbitrationAsync();
        Assert.Equal((int)StatusCode.OK, update.Status.Code);
        Assert.Equal(secondId, update.ElectionId);
        await second.WriteAsync(Insert(PodRoute("10.244.0.9")));
    }

    [Fact]
    public async Task Arbitration_HigherElectionId_TakesOverAndOldPrimaryIsTold()
    {
        await using var old = await P4Session.PrimaryWithPipelineAsync(_target);
        await using var newer = await P4Session.OpenAsync(_target);

        Assert.Equal((int)StatusCode.OK, (await newer.NextArbitrationAsync()).Status.Code);
        var demoted = await old.NextArbitrationAsync();
        Assert.Equal((int)StatusCode.AlreadyExists, demoted.Status.Code);
        Assert.Equal(newer.ElectionId, demoted.ElectionId);
        var error = await Assert.ThrowsAsync<RpcException>(() => old.WriteAsync(Insert(PodRoute("10.244.0.6"))));
        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
    }

    [Fact]
    public async Task Arbitration_SameElectionIdTwice_InvalidArgument()
    {
        await using var first = await P4Session.OpenAsync(_target);
        await first.NextArbitrationAsync();
        await using var second = await P4Session.OpenAsync(_target, first.ElectionId);

        var error = await Assert.ThrowsAsync<RpcException>(() => second.NextArbitrationAsync());

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
    }

    [Fact]
    public async Task GetPipeline_AfterCommit_ReturnsP4InfoAndCookie()
    {
        await using var session = await P4Session.PrimaryWithPipelineAsync(_target);

        var reply = await session.Client.GetForwardingPipelineConfigAsync(new GetForwardingPipelineConfigRequest { DeviceId = session.DeviceId });

        Assert.Equal(SoftTargetProcess.K8sDpP4Info, reply.Config.P4Info);
        Assert.Equal(42ul, reply.Config.Cookie.Cookie_);
    }

    [Fact]
    public async Task SetPipeline_NotK8sDp_InvalidArgumentNamingWhatIsMissing()
    {
        await using var session = await P4Session.PrimaryWithPipelineAsync(_target);
        var other = SoftTargetProcess.K8sDpP4Info.Clone();
        other.Tables.Remove(other.Tables.Single(t => t.Preamble.Alias == "pinned_flows"));

        var error = await Assert.ThrowsAsync<RpcException>(() => session.SetPipelineAsync(other));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("pinned_flows", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Insert_ThenRead_ReturnsCanonicalEntry()
    {
        await using var session = await P4Session.PrimaryWithPipelineAsync(_target);
        var entry = PodRoute("10.244.0.6");
        // 4-byte big-endian action params, as the Go manager sends them, are accepted.
        entry.Action.Action.Params[0].Value = Bytes(0, 0, 0, 2);

        await session.WriteAsync(Insert(entry));
        var read = await session.ReadAsync(new Entity { TableEntry = new TableEntry { TableId = entry.TableId } });

        var stored = Assert.Single(read).TableEntry;
        Assert.Equal(Bytes(10, 244, 0, 6), stored.Match[0].Exact.Value);
        Assert.Equal(entry.Action.Action.ActionId, stored.Action.Action.ActionId);
    }

    [Fact]
    public async Task Insert_Twice_AlreadyExists()
    {
        await using var session = await P4Session.PrimaryWithPipelineAsync(_target);
        await session.WriteAsync(Insert(PodRoute("10.244.0.6")));

        var codes = await FailedCodesAsync(() => session.WriteAsync(Insert(PodRoute("10.244.0.6", port: 3))));

        Assert.Equal([StatusCode.AlreadyExists], codes);
    }

    [Fact]
    public async Task ModifyOrDelete_Missing_NotFound()
    {
        await using var session = await P4Session.PrimaryWithPipelineAsync(_target);

        var codes = await FailedCodesAsync(() => session.WriteAsync(Modify(PodRoute("10.244.0.6")), Delete(Entry("ipv4_to_port_table", ("hdr.ipv4.dst_addr", Ip("10.244.0.7"))))));

        Assert.Equal([StatusCode.NotFound, StatusCode.NotFound], codes);
    }

    [Fact]
    public async Task Modify_ExistingEntry_ReplacesItsAction()
    {
        await using var session = await P4Session.PrimaryWithPipelineAsync(_target);
        await session.WriteAsync(Insert(PodRoute("10.244.0.6", port: 2)));

        await session.WriteAsync(Modify(PodRoute("10.244.0.6", port: 5)));

        var stored = Assert.Single(await session.ReadAsync(new Entity { TableEntry = Entry("ipv4_to_port_table", ("hdr.ipv4.dst_addr", Ip("10.244.0.6"))) })).TableEntry;
        Assert.Equal(Bytes(5), stored.Action.Action.Params.Single(p => p.ParamId == Names.Action("set_dest_mac_vport").Param("p").Id).Value);
    }

    public static TheoryData<string, Func<TableEntry>> InvalidEntries => new()
    {
        { "unknown table id", () => new TableEntry { TableId = 12345, Action = PodRoute("10.0.0.1").Action } },
        { "unknown match field", () => { var e = PodRoute("10.0.0.1"); e.Match[0].FieldId = 9; return e; } },
        { "wrong match kind", () => { var e = PodRoute("10.0.0.1"); e.Match[0].Lpm = new FieldMatch.Types.LPM { Value = Bytes(10, 0, 0, 1), PrefixLen = 32 }; return e; } },
        { "value wider than the field", () => { var e = PodRoute("10.0.0.1"); e.Match[0].Exact.Value = Bytes(1, 10, 0, 0, 1); return e; } },
        { "missing exact field", () => { var e = PodRoute("10.0.0.1"); e.Match.Clear(); return e; } },
        { "param wider than declared", () => { var e = PodRoute("10.0.0.1"); e.Action.Action.Params[1].Value = Bytes(1, 2, 3, 4, 5, 6, 7); return e; } },
        { "missing param", () => { var e = PodRoute("10.0.0.1"); e.Action.Action.Params.RemoveAt(1); return e; } },
        { "action not of the table", () => Entry("ipv4_to_port_table", ("hdr.ipv4.dst_addr", 1)).With("update_dst_ip", ("new_ip", 1), ("new_port", 1)) },
        { "default-only action on an entry", () => Entry("write_dest_ip_table", ("meta.mod_blob_ptr_dnat", 1)).With("NoAction") },
        { "priority on an exact table", () => { var e = PodRoute("10.0.0.1"); e.Priority = 10; return e; } },
        { "action on a table with a selector", () => Entry("tx_balance_tcp", ("hdr.ipv4.dst_addr", 1), ("hdr.tcp.dst_port", 80)).With("set_default_lb_dest", ("ptr", 1)) },
        { "no action", () => Entry("ipv4_to_port_table", ("hdr.ipv4.dst_addr", 1)) },
    };

    [Theory]
    [MemberData(nameof(InvalidEntries))]
    public async Task Insert_InvalidEntry_InvalidArgumentAndNothingWritten(string why, Func<TableEntry> entry)
    {
        await using var session = await P4Session.PrimaryWithPipelineAsync(_target);

        var codes = await FailedCodesAsync(() => session.WriteAsync(Insert(entry())));

        Assert.True(codes.SequenceEqual([StatusCode.InvalidArgument]), why);
        Assert.Empty(await session.ReadAsync(new Entity { TableEntry = new TableEntry() }));
    }

    [Fact]
    public async Task Insert_TableFull_ResourceExhausted()
    {
        await using var session = await P4Session.PrimaryWithPipelineAsync(_target);
        var size = Names.Table("ipv4_to_port_table").Size;
        await session.WriteAsync(Enumerable.Range(1, (int)size).Select(i => Insert(PodRoute($"10.1.{i / 256}.{i % 256}"))));

        var codes = await FailedCodesAsync(() => session.WriteAsync(Insert(PodRoute("10.9.9.9"))));

        Assert.Equal([StatusCode.ResourceExhausted], codes);
    }

    [Fact]
    public async Task Batch_OneBadUpdate_UnknownWithOneErrorPerUpdateAndTheOthersApplied()
    {
        await using var session = await P4Session.PrimaryWithPipelineAsync(_target);
        await session.WriteAsync(Insert(PodRoute("10.244.0.7")));

        var error = await Assert.ThrowsAsync<RpcException>(() => session.WriteAsync(Insert(PodRoute("10.244.0.6")), Insert(PodRoute("10.244.0.7")), Insert(PodRoute("10.244.0.8"))));

        Assert.Equal(StatusCode.Unknown, error.StatusCode);
        var details = Details(error);
        Assert.Equal([0, (int)StatusCode.AlreadyExists, 0], details.Select(d => d.CanonicalCode));
        Assert.Equal(3, (await session.ReadAsync(new Entity { TableEntry = new TableEntry() })).Count);
    }

    [Fact]
    public async Task Batch_RollbackOnError_LeavesNothing()
    {
        await using var session = await P4Session.PrimaryWithPipelineAsync(_target);

        var error = await Assert.ThrowsAsync<RpcException>(() => session.WriteAsync(
            [Insert(PodRoute("10.244.0.6")), Insert(PodRoute("10.244.0.6"))], WriteRequest.Types.Atomicity.RollbackOnError));

        Assert.Equal([(int)StatusCode.Aborted, (int)StatusCode.AlreadyExists], Details(error).Select(d => d.CanonicalCode));
        Assert.Empty(await session.ReadAsync(new Entity { TableEntry = new TableEntry() }));
    }

    [Fact]
    public async Task DefaultAction_Const_PermissionDenied()
    {
        await using var session = await P4Session.PrimaryWithPipelineAsync(_target);
        var entry = new TableEntry { TableId = Names.Table("ipv4_to_port_table").Id, IsDefaultAction = true, Action = PodRoute("1.1.1.1").Action };

        var codes = await FailedCodesAsync(() => session.WriteAsync(Modify(entry)));

        Assert.Equal([StatusCode.PermissionDenied], codes);
    }

    [Fact]
    public async Task Selector_MembersGroupsAndReferences_FollowTheRules()
    {
        await using var session = await P4Session.PrimaryWithPipelineAsync(_target);
        const string profile = "as_sl3_tcp";
        await session.WriteAsync(Insert(Member(profile, 17, 17)), Insert(Member(profile, 18, 18)));
        await session.WriteAsync(Insert(Group(profile, 1, 17, 18)));
        var vip = Entry("tx_balance_tcp", ("hdr.ipv4.dst_addr", Ip("10.96.0.10")), ("hdr.tcp.dst_port", 80)).WithGroup(1);
        await session.WriteAsync(Insert(vip));

        Assert.Equal([StatusCode.FailedPrecondition], await FailedCodesAsync(() => session.WriteAsync(Delete(Member(profile, 17, 17)))));
        Assert.Equal([StatusCode.FailedPrecondition], await FailedCodesAsync(() => session.WriteAsync(Delete(Group(profile, 1)))));
        Assert.Equal([StatusCode.NotFound], await FailedCodesAsync(() => session.WriteAsync(Insert(Group(profile, 2, 17, 99)))));
        Assert.Equal([StatusCode.NotFound], await FailedCodesAsync(() => session.WriteAsync(Insert(Entry("tx_balance_tcp", ("hdr.ipv4.dst_addr", 1), ("hdr.tcp.dst_port", 1)).WithGroup(7)))));

        // Make before break: the group drops member 17, then 17 can go, then the entry and the group.
        await session.WriteAsync(Modify(Group(profile, 1, 18)));
        await session.WriteAsync(Delete(Member(profile, 17, 17)));
        await session.WriteAsync(Delete(vip));
        await session.WriteAsync(Delete(Group(profile, 1)), Delete(Member(profile, 18, 18)));
        Assert.Empty(await session.ReadAsync(new Entity { ActionProfileMember = new ActionProfileMember() }, new Entity { ActionProfileGroup = new ActionProfileGroup() }));
    }

    [Fact]
    public async Task Selector_ProfileAndGroupLimits_ResourceExhausted()
    {
        await using var session = await P4Session.PrimaryWithPipelineAsync(_target);
        var profile = Names.ActionProfile("as_sl3_udp");
        await session.WriteAsync(Enumerable.Range(1, (int)profile.Size).Select(i => Insert(Member("as_sl3_udp", (uint)i, (ulong)i))));

        Assert.Equal([StatusCode.ResourceExhausted], await FailedCodesAsync(() => session.WriteAsync(Insert(Member("as_sl3_udp", 100_000, 1)))));
        var oversized = Group("as_sl3_udp", 1, 1);
        oversized.Members[0].Weight = (profile.MaxGroupSize > 0 ? profile.MaxGroupSize : (int)profile.Size) + 1;
        Assert.Equal([StatusCode.ResourceExhausted], await FailedCodesAsync(() => session.WriteAsync(Insert(oversized))));
        var members = await session.ReadAsync(new Entity { ActionProfileMember = new ActionProfileMember { ActionProfileId = profile.Id } });
        Assert.Equal(profile.Size, members.Count);
    }

    [Fact]
    public async Task Read_Wildcards_EveryTableOrOneTableOrOneEntry()
    {
        await using var session = await P4Session.PrimaryWithPipelineAsync(_target);
        await session.WriteAsync(
            Insert(PodRoute("10.244.0.6")),
            Insert(PodRoute("10.244.0.7")),
            Insert(Entry("arpt_to_port_table", ("hdr.arp.tpa", Ip("10.244.0.6"))).With("set_dest_vport", ("p", 2))));

        Assert.Equal(3, (await session.ReadAsync(new Entity { TableEntry = new TableEntry() })).Count);
        Assert.Equal(2, (await session.ReadAsync(new Entity { TableEntry = new TableEntry { TableId = Names.Table("ipv4_to_port_table").Id } })).Count);
        Assert.Single(await session.ReadAsync(new Entity { TableEntry = Entry("ipv4_to_port_table", ("hdr.ipv4.dst_addr", Ip("10.244.0.7"))) }));
        Assert.Empty(await session.ReadAsync(new Entity { TableEntry = Entry("ipv4_to_port_table", ("hdr.ipv4.dst_addr", Ip("10.244.0.8"))) }));
    }

    [Fact]
    public async Task SetPipeline_WithoutAclConntrack_InvalidArgumentNamingIt()
    {
        await using var session = await P4Session.PrimaryWithPipelineAsync(_target);
        var other = SoftTargetProcess.K8sDpP4Info.Clone();
        other.Tables.Remove(other.Tables.Single(t => t.Preamble.Alias == "acl_conntrack"));

        var error = await Assert.ThrowsAsync<RpcException>(() => session.SetPipelineAsync(other));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("acl_conntrack", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SetPipeline_AclProtocolFieldNotLpm_InvalidArgumentNamingTheField()
    {
        await using var session = await P4Session.PrimaryWithPipelineAsync(_target);
        var other = SoftTargetProcess.K8sDpP4Info.Clone();
        var table = other.Tables.Single(t => t.Preamble.Alias == "acl_pod_ip_proto_table_ingress");
        table.MatchFields.Single(f => f.Name == "hdr.ipv4.protocol").MatchType = Proto.P4.Config.V1.MatchField.Types.MatchType.Exact;

        var error = await Assert.ThrowsAsync<RpcException>(() => session.SetPipelineAsync(other));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("acl_pod_ip_proto_table_ingress key field hdr.ipv4.protocol", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Insert_AclLpmEntries_ReadBackCanonicalWithTheOmittedFieldAsWildcard()
    {
        await using var session = await P4Session.PrimaryWithPipelineAsync(_target);
        var table = Names.Table("acl_pod_ip_proto_table_ingress");
        var tcp = Entry("acl_pod_ip_proto_table_ingress", ("hdr.ipv4.dst_addr", Ip("10.244.0.7"))).WithLpm("hdr.ipv4.protocol", 6, 8).With("set_range_check_ref", ("pol_id", 7), ("range_check_ref", 1));
        var catchAll = Entry("acl_pod_ip_proto_table_ingress", ("hdr.ipv4.dst_addr", Ip("10.244.0.7"))).With("set_status_deny_all");
        var ipset = Entry("acl_ipset_match_table_ingress", ("meta.acl_pol_id", 7)).WithLpm("hdr.ipv4.src_addr", Ip("10.244.0.0"), 16).With("set_ipset_match_result", ("ipset_matched_mask", 1));
        var anywhere = Entry("acl_ipset_match_table_ingress", ("meta.acl_pol_id", 7)).With("set_ipset_match_result", ("ipset_matched_mask", 2));

        await session.WriteAsync(Insert(tcp), Insert(catchAll), Insert(ipset), Insert(anywhere));

        Assert.Equal(2, (await session.ReadAsync(new Entity { TableEntry = new TableEntry { TableId = table.Id } })).Count);
        var readCatchAll = Assert.Single(await session.ReadAsync(new Entity { TableEntry = Entry("acl_pod_ip_proto_table_ingress", ("hdr.ipv4.dst_addr", Ip("10.244.0.7"))) })).TableEntry;
        Assert.Equal(Names.Action("set_status_deny_all").Id, readCatchAll.Action.Action.ActionId);
        Assert.Single(readCatchAll.Match);
        var readTcp = Assert.Single(await session.ReadAsync(new Entity { TableEntry = Entry("acl_pod_ip_proto_table_ingress", ("hdr.ipv4.dst_addr", Ip("10.244.0.7"))).WithLpm("hdr.ipv4.protocol", 6, 8) })).TableEntry;
        var protocol = readTcp.Match.Single(m => m.FieldId == table.Field("hdr.ipv4.protocol").Id).Lpm;
        Assert.Equal((Bytes(6), 8), (protocol.Value, protocol.PrefixLen));
        Assert.Equal([Bytes(7), Bytes(1)], readTcp.Action.Action.Params.Select(p => p.Value));
        var readIpset = Assert.Single(await session.ReadAsync(new Entity { TableEntry = Entry("acl_ipset_match_table_ingress", ("meta.acl_pol_id", 7)).WithLpm("hdr.ipv4.src_addr", Ip("10.244.0.0"), 16) })).TableEntry;
        Assert.Equal(Bytes(10, 244, 0, 0), readIpset.Match.Single(m => m.FieldMatchTypeCase == FieldMatch.FieldMatchTypeOneofCase.Lpm).Lpm.Value);
        // The same key again, omitted field included, is the same entry.
        Assert.Equal([StatusCode.AlreadyExists, StatusCode.AlreadyExists], await FailedCodesAsync(() => session.WriteAsync(Insert(catchAll.Clone()), Insert(anywhere.Clone()))));
    }

    public static TheoryData<string, Func<TableEntry>> InvalidAclEntries => new()
    {
        { "LPM prefix 0 (a don't-care is omitted)", () => Entry("acl_ipset_match_table_egress", ("meta.acl_pol_id", 1)).WithLpm("hdr.ipv4.dst_addr", 0, 0).With("acl_deny") },
        { "LPM host bits set", () => Entry("acl_ipset_match_table_egress", ("meta.acl_pol_id", 1)).WithLpm("hdr.ipv4.dst_addr", Ip("10.244.0.1"), 24).With("acl_deny") },
        { "LPM prefix beyond the width", () => Entry("acl_pod_ip_proto_table_egress", ("hdr.ipv4.src_addr", 1)).WithLpm("hdr.ipv4.protocol", 6, 9).With("set_status_deny_all") },
        { "LPM field given as exact", () => Entry("acl_pod_ip_proto_table_egress", ("hdr.ipv4.src_addr", 1), ("hdr.ipv4.protocol", 6)).With("set_status_deny_all") },
        { "missing exact field of an LPM table", () => new TableEntry { TableId = Names.Table("acl_ipset_match_table_egress").Id }.WithLpm("hdr.ipv4.dst_addr", 0x0A000000, 8).With("acl_deny") },
        { "acl_conntrack entry without its key", () => new TableEntry { TableId = Names.Table("acl_conntrack").Id }.With("acl_conntrack_hit") },
        { "default-only action on an entry", () => Entry("acl_conntrack", ("meta.ct_ip_lo", 1), ("meta.ct_ip_hi", 2), ("hdr.ipv4.protocol", 6), ("meta.ct_port_lo", 1), ("meta.ct_port_hi", 2)).With("acl_conntrack_miss") },
    };

    [Theory]
    [MemberData(nameof(InvalidAclEntries))]
    public async Task Insert_InvalidAclEntry_InvalidArgumentAndNothingWritten(string why, Func<TableEntry> entry)
    {
        await using var session = await P4Session.PrimaryWithPipelineAsync(_target);

        var codes = await FailedCodesAsync(() => session.WriteAsync(Insert(entry())));

        Assert.True(codes.SequenceEqual([StatusCode.InvalidArgument]), why);
        Assert.Empty(await session.ReadAsync(new Entity { TableEntry = new TableEntry() }));
    }

    [Fact]
    public async Task Insert_EightBitParamPaddedToTwoBytes_AcceptedAndReadBackAsOneByte()
    {
        await using var session = await P4Session.PrimaryWithPipelineAsync(_target);
        var entry = Entry("acl_pod_ip_proto_table_egress", ("hdr.ipv4.src_addr", Ip("10.244.0.6"))).WithLpm("hdr.ipv4.protocol", 17, 8).With("set_range_check_ref", ("pol_id", 7), ("range_check_ref", 2));
        // As the Go original sends 8-bit values (reference-behaviour.md 11.3, 19): the value fits, only the padding is extra.
        entry.Action.Action.Params[0].Value = Bytes(0, 7);

        await session.WriteAsync(Insert(entry));

        var stored = Assert.Single(await session.ReadAsync(new Entity { TableEntry = new TableEntry { TableId = entry.TableId } })).TableEntry;
        Assert.Equal([Bytes(7), Bytes(2)], stored.Action.Action.Params.Select(p => p.Value));
    }

    [Fact]
    public async Task Insert_EightBitParamAbove255_InvalidArgumentNamingActionAndParam()
    {
        await using var session = await P4Session.PrimaryWithPipelineAsync(_target);
        var entry = Entry("acl_ipset_match_table_ingress", ("meta.acl_pol_id", 7)).With("set_ipset_match_result", ("ipset_matched_mask", 1));
        entry.Action.Action.Params[0].Value = Bytes(1, 0);

        var error = await Assert.ThrowsAsync<RpcException>(() => session.WriteAsync(Insert(entry)));

        var detail = Assert.Single(Details(error));
        Assert.Equal((int)StatusCode.InvalidArgument, detail.CanonicalCode);
        Assert.Contains("set_ipset_match_result", detail.Message, StringComparison.Ordinal);
        Assert.Contains("ipset_matched_mask", detail.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Insert_RangeCheckWith15Params_InvalidArgumentNamingActionAndTheMissingParam()
    {
        await using var session = await P4Session.PrimaryWithPipelineAsync(_target);
        var parameters = Enumerable.Range(0, 8).SelectMany(i => new[] { ($"min{i}", 1UL), ($"max{i}", 0UL) }).Take(15).ToArray();
        var entry = Entry("tcp_dport_rc_table", ("meta.acl_pol_id", 7)).With("do_range_check_tcp", parameters);

        var error = await Assert.ThrowsAsync<RpcException>(() => session.WriteAsync(Insert(entry)));

        var detail = Assert.Single(Details(error));
        Assert.Equal((int)StatusCode.InvalidArgument, detail.CanonicalCode);
        Assert.Contains("do_range_check_tcp", detail.Message, StringComparison.Ordinal);
        Assert.Contains("max7", detail.Message, StringComparison.Ordinal);
        Assert.Empty(await session.ReadAsync(new Entity { TableEntry = new TableEntry { TableId = entry.TableId } }));
    }

    [Fact]
    public async Task DefaultAction_RangeCheckTables_ConstForTcpAndUdpOnly()
    {
        await using var session = await P4Session.PrimaryWithPipelineAsync(_target);
        TableEntry Default(string table, string action) => new() { TableId = Names.Table(table).Id, IsDefaultAction = true, Action = new TableAction { Action = Act(action) } };

        Assert.Equal([StatusCode.PermissionDenied, StatusCode.PermissionDenied], await FailedCodesAsync(() => session.WriteAsync(
            Modify(Default("tcp_dport_rc_table", "acl_deny")), Modify(Default("udp_dport_rc_table", "udp_acl_deny")), Modify(Default("sctp_dport_rc_table", "acl_deny")))));
    }

    [Fact]
    public async Task Write_BeforeAnyPipeline_FailedPrecondition()
    {
        await using var fresh = new SoftTargetProcess();
        await fresh.InitializeAsync();
        await using var session = await P4Session.OpenAsync(fresh);
        await session.NextArbitrationAsync();

        var write = await Assert.ThrowsAsync<RpcException>(() => session.WriteAsync(Insert(PodRoute("10.244.0.6"))));
        var read = await Assert.ThrowsAsync<RpcException>(() => session.ReadAsync(new Entity { TableEntry = new TableEntry() }));
        var get = await Assert.ThrowsAsync<RpcException>(async () => await session.Client.GetForwardingPipelineConfigAsync(new GetForwardingPipelineConfigRequest { DeviceId = session.DeviceId }));

        Assert.Equal(StatusCode.FailedPrecondition, write.StatusCode);
        Assert.Equal(StatusCode.FailedPrecondition, read.StatusCode);
        Assert.Equal(StatusCode.FailedPrecondition, get.StatusCode);
    }

    private static List<Error> Details(RpcException error)
    {
        var status = error.GetRpcStatus() ?? throw new InvalidOperationException($"no status details in {error}");
        return [.. status.Details.Select(d => d.Unpack<Error>())];
    }

    /// <summary>The codes of the updates that failed, in request order (the others must be OK).</summary>
    private static async Task<List<StatusCode>> FailedCodesAsync(Func<Task> write)
    {
        var error = await Assert.ThrowsAsync<RpcException>(write);
        Assert.Equal(StatusCode.Unknown, error.StatusCode);
        return [.. Details(error).Where(d => d.CanonicalCode != 0).Select(d => (StatusCode)d.CanonicalCode)];
    }
}
