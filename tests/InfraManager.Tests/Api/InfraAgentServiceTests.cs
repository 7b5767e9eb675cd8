using System.Globalization;
using Google.Protobuf;
using Grpc.Core;
using Proto.Cni;
using Proto.Infra;
using TestSupport;
using Xunit;

namespace InfraManager.Tests.Api;

/// <summary>
/// The agent's view of the manager: infra.InfraAgent over mTLS against a real inframanager process and
/// a real SoftTarget, with the target's tables read back over P4Runtime after every step.
/// </summary>
[Collection(InfraManager.Tests.P4.HostNetworkTests.Name)]
public sealed class InfraAgentServiceTests : IClassFixture<TestCertificates>
{
    internal const string DefaultRule = "k8s_dp_control.arpt_to_port_table{hdr.arp.tpa=169.254.1.1} → k8s_dp_control.set_dest_vport(p=0)";

    private readonly TestCertificates _certificates;

    public InfraAgentServiceTests(TestCertificates certificates)
    {
        _certificates = certificates;
    }

    [Fact]
    public async Task Start_EmptyTarget_HoldsOnlyTheGatewayArpRule()
    {
        await using var node = await ManagerNode.StartAsync(_certificates);

        Assert.Equal([DefaultRule], await node.ReadTablesAsync());
    }

    [Fact]
    public async Task CreateNetwork_Pod_RoutesItsIpToItsTapAndDeleteNetworkRemovesIt()
    {
        await using var node = await ManagerNode.StartAsync(_certificates);
        var tap = node.Taps[2];
        var port = await node.PortOfAsync(tap);

        var added = await node.Agent.CreateNetworkAsync(Pod("10.244.0.6/24", tap, "02:00:00:00:00:06"));
        var tables = await node.ReadTablesAsync();
        var deleted = await node.Agent.DeleteNetworkAsync(new DeleteNetworkRequest { DelRequest = new DelRequest { InterfaceName = "eth0" }, HostIfName = tap, MacAddr = "02:00:00:00:00:06", Ipv4Addr = "10.244.0.6/32" });

        Assert.True(added.Successful, added.ErrorMessage);
        Assert.Equal("cali0123456789a", added.HostInterfaceName);
        Assert.Equal(
        [
            $"k8s_dp_control.arpt_to_port_table{{hdr.arp.tpa=10.244.0.6}} → k8s_dp_control.set_dest_vport(p={port})",
            DefaultRule,
            $"k8s_dp_control.ipv4_to_port_table{{hdr.ipv4.dst_addr=10.244.0.6}} → k8s_dp_control.set_dest_mac_vport(p={port}, new_dmac=02:00:00:00:00:06)",
        ], tables);
        Assert.True(deleted.Successful, deleted.ErrorMessage);
        Assert.Equal([DefaultRule], await node.ReadTablesAsync());
    }

    [Fact]
    public async Task CreateNetwork_Repeated_IsIdempotentAndAnotherPodOnTheSameIpIsRefused()
    {
        await using var node = await ManagerNode.StartAsync(_certificates);

        var first = await node.Agent.CreateNetworkAsync(Pod("10.244.0.7", node.Taps[2], "02:00:00:00:00:07"));
        var again = await node.Agent.CreateNetworkAsync(Pod("10.244.0.7", node.Taps[2], "02:00:00:00:00:07"));
        var other = await node.Agent.CreateNetworkAsync(Pod("10.244.0.7", node.Taps[3], "02:00:00:00:00:08"));
        var tables = await node.ReadTablesAsync();
        var deleteUnknown = await node.Agent.DeleteNetworkAsync(new DeleteNetworkRequest { Ipv4Addr = "10.244.9.9/32" });

        Assert.True(first.Successful && again.Successful, first.ErrorMessage + again.ErrorMessage);
        Assert.False(other.Successful);
        Assert.Contains("A different entry for 10.244.0.7 already exists", other.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(3, tables.Count);
        Assert.Contains(tables, t => t.Contains("new_dmac=02:00:00:00:00:07", StringComparison.Ordinal));
        Assert.True(deleteUnknown.Successful, deleteUnknown.ErrorMessage);
    }

    [Fact]
    public async Task SetupHostInterface_RoutesHostAndNodeIpToTheHostTap()
    {
        await using var node = await ManagerNode.StartAsync(_certificates);
        var tap = node.Taps[1];
        var port = await node.PortOfAsync(tap);

        var reply = await node.Agent.SetupHostInterfaceAsync(new SetupHostInterfaceRequest { IfName = tap, Ipv4Addr = "200.1.1.2/32", MacAddr = "02:00:00:00:00:01" });

        Assert.True(reply.Successful, reply.ErrorMessage);
        Assert.Equal(
        [
            $"k8s_dp_control.arpt_to_port_table{{hdr.arp.tpa={ManagerNode.NodeIp}}} → k8s_dp_control.set_dest_vport(p={port})",
            DefaultRule,
            $"k8s_dp_control.arpt_to_port_table{{hdr.arp.tpa=200.1.1.2}} → k8s_dp_control.set_dest_vport(p={port})",
            $"k8s_dp_control.ipv4_to_port_table{{hdr.ipv4.dst_addr={ManagerNode.NodeIp}}} → k8s_dp_control.set_dest_mac_vport(p={port}, new_dmac=02:00:00:00:00:01)",
            $"k8s_dp_control.ipv4_to_port_table{{hdr.ipv4.dst_addr=200.1.1.2}} → k8s_dp_control.set_dest_mac_vport(p={port}, new_dmac=02:00:00:00:00:01)",
        ], await node.ReadTablesAsync());

        // A new MAC (the agent recreated the interface) moves both routes.
        var moved = await node.Agent.SetupHostInterfaceAsync(new SetupHostInterfaceRequest { IfName = tap, Ipv4Addr = "200.1.1.2/32", MacAddr = "02:00:00:00:00:11" });
        var tables = await node.ReadTablesAsync();
        Assert.True(moved.Successful, moved.ErrorMessage);
        Assert.Equal(2, tables.Count(t => t.Contains("new_dmac=02:00:00:00:00:11", StringComparison.Ordinal)));
        Assert.DoesNotContain(tables, t => t.Contains("02:00:00:00:00:01", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("TCP", 1)]
    [InlineData("TCP", 2)]
    [InlineData("TCP", 40)]
    [InlineData("UDP", 1)]
    [InlineData("UDP", 2)]
    [InlineData("UDP", 40)]
    public async Task NatTranslationAdd_Service_ProgramsEveryBackendAndDeleteRemovesAll(string protocol, int backends)
    {
        await using var node = await ManagerNode.StartAsync(_certificates);
        var service = Service("10.96.0.10", 53, protocol, Enumerable.Range(1, backends).Select(i => ($"10.244.1.{i}", 5353u)).ToArray());
        var l4 = protocol.ToLowerInvariant();

        var added = await node.Agent.NatTranslationAddAsync(service);
        var tables = await node.ReadTablesAsync();

        Assert.True(added.Successful, added.ErrorMessage);
        var group = Assert.Single(tables, t => t.StartsWith($"k8s_dp_control.as_sl3_{l4} group ", StringComparison.Ordinal));
        var groupId = uint.Parse(group.Split(' ')[2], CultureInfo.InvariantCulture);
        var members = MembersOf(group);
        Assert.Equal(backends, members.Count);
        Assert.Equal(backends, members.Distinct().Count());
        Assert.Contains($"k8s_dp_control.tx_balance_{l4}{{hdr.ipv4.dst_addr=10.96.0.10, hdr.{l4}.dst_port=53}} → group {groupId}", tables);
        Assert.Contains($"k8s_dp_control.write_source_ip_table{{meta.mod_blob_ptr_snat={groupId}}} → k8s_dp_control.update_src_ip(new_ip=10.96.0.10, new_port=53)", tables);
        var dnatTargets = new List<string>();
        foreach (var member in members)
        {
            Assert.Contains($"k8s_dp_control.as_sl3_{l4} member {member} → k8s_dp_control.set_default_lb_dest(ptr={member})", tables);
            var dnat = Assert.Single(tables, t => t.StartsWith($"k8s_dp_control.write_dest_ip_table{{meta.mod_blob_ptr_dnat={member}}} ", StringComparison.Ordinal));
            dnatTargets.Add(dnat[(dnat.IndexOf("new_ip=", StringComparison.Ordinal) + 7)..dnat.IndexOf(',', StringComparison.Ordinal)]);
        }

        Assert.Equal(Enumerable.Range(1, backends).Select(i => $"10.244.1.{i}").Order(), dnatTargets.Order());
        for (var i = 1; i <= backends; i++)
        {
            Assert.Contains($"k8s_dp_control.set_meta_{l4}{{hdr.ipv4.dst_addr=10.244.1.{i}, hdr.{l4}.dst_port=5353}} → k8s_dp_control.set_key_for_reverse_ct(ptr={groupId})", tables);
        }

        // 1 default rule; per service a group, a balance entry, an SNAT entry; per backend a member, a DNAT entry and a reverse key.
        Assert.Equal(1 + 3 + (3 * backends), tables.Count);
        var repeated = await node.Agent.NatTranslationAddAsync(service);
        Assert.True(repeated.Successful, repeated.ErrorMessage);
        Assert.Equal(tables, await node.ReadTablesAsync());

        var deleted = await node.Agent.NatTranslationDeleteAsync(service);
        Assert.True(deleted.Successful, deleted.ErrorMessage);
        Assert.Equal([DefaultRule], await node.ReadTablesAsync());
        var deletedAgain = await node.Agent.NatTranslationDeleteAsync(service);
        Assert.True(deletedAgain.Successful, deletedAgain.ErrorMessage);
    }

    [Fact]
    public async Task NatTranslationAdd_ChangedBackends_KeepsThoseThatStayAndSwapsTheOthers()
    {
        await using var node = await ManagerNode.StartAsync(_certificates);
        var before = await node.Agent.NatTranslationAddAsync(Service("10.96.0.20", 80, "TCP", ("10.244.2.1", 8080), ("10.244.2.2", 8080), ("10.244.2.3", 8080)));
        var tablesBefore = await node.ReadTablesAsync();

        // 10.244.2.1 goes, 10.244.2.2 stays, 10.244.2.3 moves to another port, 10.244.2.4 comes.
        var after = await node.Agent.NatTranslationAddAsync(Service("10.96.0.20", 80, "TCP", ("10.244.2.2", 8080), ("10.244.2.3", 9090), ("10.244.2.4", 8080)));
        var tablesAfter = await node.ReadTablesAsync();

        Assert.True(before.Successful && after.Successful, before.ErrorMessage + after.ErrorMessage);
        var kept = DnatMember(tablesBefore, "10.244.2.2, new_port=8080");
        Assert.Equal(kept, DnatMember(tablesAfter, "10.244.2.2, new_port=8080"));
        Assert.Null(DnatMember(tablesAfter, "10.244.2.1, new_port=8080"));
        Assert.Null(DnatMember(tablesAfter, "10.244.2.3, new_port=8080"));
        var group = MembersOf(Assert.Single(tablesAfter, t => t.StartsWith("k8s_dp_control.as_sl3_tcp group ", StringComparison.Ordinal)));
        Assert.Equal(
            new[] { kept!, DnatMember(tablesAfter, "10.244.2.3, new_port=9090")!, DnatMember(tablesAfter, "10.244.2.4, new_port=8080")! }.Order(),
            group.Order());
        Assert.Equal(1 + 3 + (3 * 3), tablesAfter.Count);
        Assert.DoesNotContain(tablesAfter, t => t.Contains("10.244.2.1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task NatTranslationAdd_TwoServicesShareABackend_OneReverseKeyThatOutlivesTheFirstService()
    {
        await using var node = await ManagerNode.StartAsync(_certificates);
        var a = Service("10.96.0.30", 80, "TCP", ("10.244.3.1", 8080));
        var b = Service("10.96.0.31", 80, "TCP", ("10.244.3.1", 8080), ("10.244.3.2", 8080));

        var addedA = await node.Agent.NatTranslationAddAsync(a);
        var addedB = await node.Agent.NatTranslationAddAsync(b);
        var both = await node.ReadTablesAsync();
        var deletedA = await node.Agent.NatTranslationDeleteAsync(a);
        var onlyB = await node.ReadTablesAsync();

        Assert.True(addedA.Successful && addedB.Successful && deletedA.Successful, addedA.ErrorMessage + addedB.ErrorMessage + deletedA.ErrorMessage);
        Assert.Single(both, t => t.StartsWith("k8s_dp_control.set_meta_tcp{hdr.ipv4.dst_addr=10.244.3.1,", StringComparison.Ordinal));
        var groupB = Assert.Single(onlyB, t => t.StartsWith("k8s_dp_control.as_sl3_tcp group ", StringComparison.Ordinal)).Split(' ')[2];
        Assert.Contains($"k8s_dp_control.set_meta_tcp{{hdr.ipv4.dst_addr=10.244.3.1, hdr.tcp.dst_port=8080}} → k8s_dp_control.set_key_for_reverse_ct(ptr={groupB})", onlyB);
        Assert.Equal(1 + 3 + (3 * 2), onlyB.Count);
    }

    public static TheoryData<string, string> BadRequests() => new()
    {
        { "create-no-add-request", "add_request: required" },
        { "create-no-ips", "add_request.container_ips: at least one IPv4 address is required" },
        { "create-bad-ip", "add_request.container_ips[0].address: '10.244.0.300/24' is not an IP address" },
        { "create-bad-mac", "mac_addr: 'zz:00:00:00:00:01' is not a MAC address" },
        { "create-multicast-mac", "mac_addr: 01:00:5e:00:00:01 is not a unicast MAC address" },
        { "create-no-interface", "host_if_name: required" },
        { "delete-bad-ip", "ipv4_addr: '10.244.0' is not an IPv4 address" },
        { "host-bad-mac", "mac_addr: required" },
        { "nat-no-endpoint", "endpoint: required" },
        { "nat-bad-ip", "endpoint.ipv4_addr: 'ten.96.0.1' is not an IPv4 address" },
        { "nat-port-0", "endpoint.port: 0 is not a port (1-65535)" },
        { "nat-port-65536", "endpoint.port: 65536 is not a port (1-65535)" },
        { "nat-backend-port-70000", "backends[1].dst_ep.port: 70000 is not a port (1-65535)" },
        { "nat-backend-bad-ip", "backends[0].dst_ep.ipv4_addr: '10.244.1.256' is not an IPv4 address" },
        { "nat-backend-missing", "backends[0].dst_ep: required" },
        { "nat-no-proto", "proto: required (TCP or UDP)" },
        { "nat-sctp", "proto: SCTP is not supported: k8s_dp balances TCP and UDP only; nothing was programmed" },
        { "nat-unknown-proto", "proto: 'QUIC' is not a protocol k8s_dp balances (TCP or UDP)" },
        { "policy-no-id", "id.tier: required" },
    };

    [Fact]
    public async Task Requests_Malformed_InvalidArgumentNamingTheFieldAndNothingWritten()
    {
        await using var node = await ManagerNode.StartAsync(_certificates);
        var tap = node.Taps[2];
        var failures = new List<string>();
        foreach (var row in BadRequests())
        {
            var (name, expected) = ((string)row[0], (string)row[1]);
            var call = name switch
            {
                "create-no-add-request" => node.Agent.CreateNetworkAsync(new CreateNetworkRequest { HostIfName = tap, MacAddr = "02:00:00:00:00:09" }).ResponseAsync as Task,
                "create-no-ips" => node.Agent.CreateNetworkAsync(new CreateNetworkRequest { AddRequest = new AddRequest(), HostIfName = tap, MacAddr = "02:00:00:00:00:09" }).ResponseAsync,
                "create-bad-ip" => node.Agent.CreateNetworkAsync(Pod("10.244.0.300/24", tap, "02:00:00:00:00:09")).ResponseAsync,
                "create-bad-mac" => node.Agent.CreateNetworkAsync(Pod("10.244.0.9/24", tap, "zz:00:00:00:00:01")).ResponseAsync,
                "create-multicast-mac" => node.Agent.CreateNetworkAsync(Pod("10.244.0.9/24", tap, "01:00:5e:00:00:01")).ResponseAsync,
                "create-no-interface" => node.Agent.CreateNetworkAsync(Pod("10.244.0.9/24", string.Empty, "02:00:00:00:00:09")).ResponseAsync,
                "delete-bad-ip" => node.Agent.DeleteNetworkAsync(new DeleteNetworkRequest { Ipv4Addr = "10.244.0" }).ResponseAsync,
                "host-bad-mac" => node.Agent.SetupHostInterfaceAsync(new SetupHostInterfaceRequest { IfName = node.Taps[1], Ipv4Addr = "200.1.1.2/32" }).ResponseAsync,
                "nat-no-endpoint" => node.Agent.NatTranslationAddAsync(new NatTranslation { Proto = "TCP" }).ResponseAsync,
                "nat-bad-ip" => node.Agent.NatTranslationAddAsync(Service("ten.96.0.1", 80, "TCP", ("10.244.1.1", 80))).ResponseAsync,
                "nat-port-0" => node.Agent.NatTranslationAddAsync(Service("10.96.0.1", 0, "TCP", ("10.244.1.1", 80))).ResponseAsync,
                "nat-port-65536" => node.Agent.NatTranslationDeleteAsync(Service("10.96.0.1", 65536, "TCP")).ResponseAsync,
                "nat-backend-port-70000" => node.Agent.NatTranslationAddAsync(Service("10.96.0.1", 80, "TCP", ("10.244.1.1", 80), ("10.244.1.2", 70000))).ResponseAsync,
                "nat-backend-bad-ip" => node.Agent.NatTranslationAddAsync(Service("10.96.0.1", 80, "UDP", ("10.244.1.256", 80))).ResponseAsync,
                "nat-backend-missing" => node.Agent.NatTranslationAddAsync(WithEmptyBackend(Service("10.96.0.1", 80, "UDP"))).ResponseAsync,
                "nat-no-proto" => node.Agent.NatTranslationAddAsync(Service("10.96.0.1", 80, string.Empty, ("10.244.1.1", 80))).ResponseAsync,
                "nat-sctp" => node.Agent.NatTranslationAddAsync(Service("10.96.0.1", 80, "SCTP", ("10.244.1.1", 80))).ResponseAsync,
                "nat-unknown-proto" => node.Agent.NatTranslationAddAsync(Service("10.96.0.1", 80, "QUIC", ("10.244.1.1", 80))).ResponseAsync,
                "policy-no-id" => node.Agent.ActivePolicyUpdateAsync(new Proto.Felix.ActivePolicyUpdate()).ResponseAsync,
                _ => throw new InvalidOperationException(name),
            };
            try
            {
                await call;
                failures.Add($"{name}: accepted, expected '{expected}'");
            }
            catch (RpcException error) when (error.StatusCode != StatusCode.InvalidArgument || error.Status.Detail != expected)
            {
                failures.Add($"{name}: {error.StatusCode} '{error.Status.Detail}', expected '{expected}'");
            }
            catch (RpcException)
            {
                // As expected.
            }
        }

        Assert.Empty(failures);
        Assert.Equal([DefaultRule], await node.ReadTablesAsync());
    }

    [Fact]
    public async Task Api_ClientWithoutOurCertificate_IsRefused()
    {
        await using var node = await ManagerNode.StartAsync(_certificates);
        foreach (var settings in new[]
        {
            new DaemonHost.Tls.TlsSettings(DaemonHost.Tls.TlsMode.Tls, string.Empty, string.Empty, _certificates.CaFile),
            new DaemonHost.Tls.TlsSettings(DaemonHost.Tls.TlsMode.Mtls, _certificates.FromOtherAuthority("agent").Certificate, _certificates.FromOtherAuthority("agent").Key, _certificates.CaFile),
        })
        {
            using var material = new DaemonHost.Tls.ReloadingTlsMaterial(settings, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
            using var channel = DaemonHost.Tls.GrpcChannels.Create($"localhost:{node.ApiPort}", material);
            var stranger = new InfraAgent.InfraAgentClient(channel);

            var refused = await Assert.ThrowsAsync<RpcException>(() => stranger.NatTranslationAddAsync(Service("10.96.0.40", 80, "TCP", ("10.244.4.1", 80)), deadline: DateTime.UtcNow.AddSeconds(10)).ResponseAsync);

            Assert.True(refused.StatusCode is StatusCode.Unavailable or StatusCode.Internal, refused.ToString());
        }

        Assert.Equal([DefaultRule], await node.ReadTablesAsync());
    }

    [Fact]
    public async Task FelixAndSnatRequests_AreRecordedAndSurviveARestart()
    {
        await using var node = await ManagerNode.StartAsync(_certificates);
        var policy = new Proto.Felix.ActivePolicyUpdate { Id = new Proto.Felix.PolicyID { Tier = "default", Name = "allow-dns" }, Policy = new Proto.Felix.Policy() };

        var replies = new[]
        {
            await node.Agent.ActivePolicyUpdateAsync(policy),
            await node.Agent.UpdateIPSetAsync(new Proto.Felix.IPSetUpdate { Id = "s1", Members = { "10.0.0.1/32" } }),
            await node.Agent.UpdateIPSetDeltaAsync(new Proto.Felix.IPSetDeltaUpdate { Id = "s1", AddedMembers = { "10.0.0.2/32" }, RemovedMembers = { "10.0.0.1/32" } }),
            await node.Agent.SetSnatAddressAsync(new SetSnatAddressRequest { SnatIpv4 = "10.10.0.2" }),
            await node.Agent.AddDelSnatPrefixAsync(new AddDelSnatPrefixRequest { IsAdd = true, Prefix = "10.244.0.0/16" }),
        };
        await node.KillManagerAsync();
        await node.StartManagerAsync();
        // The store allows one process at a time: look at it once the restarted manager is gone again.
        await node.KillManagerAsync();
        var store = InfraManager.Store.StateStore.Open(node.StoreDir, Microsoft.Extensions.Logging.Abstractions.NullLogger<InfraManager.Store.StateStore>.Instance);
        using (store)
        {
            Assert.All(replies, r => Assert.True(r.Successful, r.ErrorMessage));
            Assert.Equal(policy.ToByteString(), store.State.Felix["ActivePolicy/default/allow-dns"]);
            Assert.Equal(["10.0.0.2/32"], Proto.Felix.IPSetUpdate.Parser.ParseFrom(store.State.Felix["IPSet/s1"]).Members);
            Assert.Equal("10.10.0.2", store.State.Snat.Ipv4);
            Assert.Equal(["10.244.0.0/16"], store.State.Snat.Prefixes);
        }
    }

    internal static CreateNetworkRequest Pod(string address, string tap, string mac) => new()
    {
        AddRequest = new AddRequest
        {
            InterfaceName = "eth0",
            Netns = "/var/run/netns/cni-test",
            DesiredHostInterfaceName = "cali0123456789a",
            ContainerIps = { new IPConfig { Address = address, Gateway = "169.254.1.1" } },
        },
        HostIfName = tap,
        MacAddr = mac,
    };

    internal static NatTranslation Service(string ip, uint port, string protocol, params (string Ip, uint Port)[] backends)
    {
        var translation = new NatTranslation { Endpoint = new NatEndpoint { Ipv4Addr = ip, Port = port }, Proto = protocol };
        foreach (var (backendIp, backendPort) in backends)
        {
            translation.Backends.Add(new NatEndpointTuple { DstEp = new NatEndpoint { Ipv4Addr = backendIp, Port = backendPort } });
        }

        return translation;
    }

    private static NatTranslation WithEmptyBackend(NatTranslation translation)
    {
        translation.Backends.Add(new NatEndpointTuple());
        return translation;
    }

    internal static List<string> MembersOf(string group) =>
        [.. group[(group.IndexOf('[', StringComparison.Ordinal) + 1)..group.IndexOf(']', StringComparison.Ordinal)].Split(' ')];

    /// <summary>The member (= DNAT pointer) whose write_dest_ip_table entry rewrites to <paramref name="target"/> ("ip, new_port=port").</summary>
    internal static string? DnatMember(List<string> tables, string target)
    {
        var entry = tables.FirstOrDefault(t => t.StartsWith("k8s_dp_control.write_dest_ip_table", StringComparison.Ordinal) && t.Contains($"new_ip={target})", StringComparison.Ordinal));
        return entry is null ? null : entry[(entry.IndexOf("dnat=", StringComparison.Ordinal) + 5)..entry.IndexOf('}', StringComparison.Ordinal)];
    }
}
