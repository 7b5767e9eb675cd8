using Packets;
using Packets.Parsing;
using Proto.P4.V1;
using SoftTarget.DataPlane;
using Xunit;
using static SoftTargetKit.K8sDp;

namespace SoftTarget.Tests.DataPlane;

/// <summary>
/// The network-policy stages of k8s_dp (acl-spec.md) as pods would see them: entries written as P4Runtime
/// Write requests through the device, frames from pod A (10.244.0.6, port 2) and pod B (10.244.0.7, port 3)
/// through the engine, and whether each reaches its pod's port or is dropped.
/// </summary>
public sealed class K8sDpEngineAclTests
{
    private const string A = "10.244.0.6";
    private const string B = "10.244.0.7";
    private const int PortA = 2;
    private const int PortB = 3;
    private const string Egress = "egress";
    private const string Ingress = "ingress";

    // range_check_ref values (acl-spec.md).
    private const byte CheckTcp = 1;
    private const byte CheckUdp = 2;
    private const byte CheckSctp = 3;
    private const byte CheckUdpLite = 4;
    private const byte CheckIcmp = 5;

    private readonly InProcessTarget _target = new();

    public K8sDpEngineAclTests()
    {
        _target.Write(Insert(PodRoute(A, PortA, 0x02_00_00_00_00_06)), Insert(PodRoute(B, PortB, 0x02_00_00_00_00_07)));
    }

    [Fact]
    public void Process_PodsWithoutEntries_EveryProtocolPassesBothWays()
    {
        // Another pod's policy must not touch A and B.
        _target.Write(Insert(DenyAll(Ingress, "10.244.0.8", protocol: null)), Insert(DenyAll(Egress, "10.244.0.8", protocol: null)));

        Assert.Equal(PortB, _target.Send(Frames.Tcp(A, 40000, B, 80)));
        Assert.Equal(PortB, _target.Send(Frames.Udp(A, 40000, B, 53)));
        Assert.Equal(PortB, _target.Send(Frames.Icmp(A, B, type: 8)));
        Assert.Equal(PortB, _target.Send(Frames.Sctp(A, 40000, B, 3868)));
        Assert.Equal(PortB, _target.Send(Frames.UdpLite(A, 40000, B, 5000)));
        Assert.Equal(PortA, _target.Send(Frames.Tcp(B, 41000, A, 22)));
    }

    [Fact]
    public void Process_DenyAllIngress_DropsTcpSynFromAnotherPod()
    {
        _target.Write(Insert(DenyAll(Ingress, B, protocol: null)));

        Assert.Equal(K8sDpEngine.Drop, _target.Send(Frames.Tcp(A, 40000, B, 80)));
        // B itself may still open connections: its egress and A's ingress have no entries.
        Assert.Equal(PortA, _target.Send(Frames.Tcp(B, 41000, A, 22)));
    }

    [Theory]
    [InlineData(7999, false)]
    [InlineData(8000, true)]
    [InlineData(8042, true)]
    [InlineData(8080, true)]
    [InlineData(8081, false)]
    public void Process_IpsetWithMaskAndTcpRange_AllowsOnlyPortsInsideTheRange(int port, bool allowed)
    {
        _target.Write(
            Insert(Rule(Ingress, B, IPProtocols.Tcp, policy: 7, CheckTcp)),
            Insert(Ipset(Ingress, policy: 7, "10.244.0.0/16", mask: 0x01)),
            Insert(Ranges("tcp_dport_rc_table", policy: 7, (8000, 8080))));

        Assert.Equal(allowed ? PortB : K8sDpEngine.Drop, _target.Send(Frames.Tcp(A, 40000, B, (ushort)port)));
        // From outside the ipset the port does not matter.
        Assert.Equal(K8sDpEngine.Drop, _target.Send(Frames.Tcp("192.168.1.9", 40000, B, (ushort)port)));
        // A protocol with no entry of its own (and no catch-all) falls to the table's default, NoAction: allowed.
        Assert.Equal(PortB, _target.Send(Frames.Udp(A, 40000, B, (ushort)port)));
    }

    [Fact]
    public void Process_NestedIpsetPrefixes_LongestPrefixDecidesAndADeleteTakesEffect()
    {
        // Slot 0 (mask 0x01) allows 80, slot 1 (mask 0x02) allows 443; the /24 sits inside the /16.
        _target.Write(
            Insert(Rule(Ingress, B, IPProtocols.Tcp, policy: 7, CheckTcp)),
            Insert(Ipset(Ingress, policy: 7, "10.244.0.0/16", mask: 0x02)),
            Insert(Ipset(Ingress, policy: 7, "10.244.0.0/24", mask: 0x01)),
            Insert(Ranges("tcp_dport_rc_table", policy: 7, (80, 80), (443, 443))));

        Assert.Equal(PortB, _target.Send(Frames.Tcp(A, 40000, B, 80)));
        Assert.Equal(K8sDpEngine.Drop, _target.Send(Frames.Tcp(A, 40001, B, 443)));
        Assert.Equal(PortB, _target.Send(Frames.Tcp("10.244.5.5", 40000, B, 443)));
        Assert.Equal(K8sDpEngine.Drop, _target.Send(Frames.Tcp("10.244.5.5", 40001, B, 80)));
        Assert.Equal(K8sDpEngine.Drop, _target.Send(Frames.Tcp("10.245.0.1", 40000, B, 80)));

        _target.Write(Delete(Ipset(Ingress, policy: 7, "10.244.0.0/24", mask: 0x01)));

        Assert.Equal(PortB, _target.Send(Frames.Tcp(A, 40002, B, 443)));
        Assert.Equal(K8sDpEngine.Drop, _target.Send(Frames.Tcp(A, 40003, B, 80)));
    }

    [Fact]
    public void Process_OmittedProtocolField_CatchAllForProtocolsWithoutTheirOwnEntry()
    {
        _target.Write(
            Insert(IpsetOnly(Ingress, B, IPProtocols.Tcp, policy: 1)),
            Insert(DenyAll(Ingress, B, protocol: null)),
            Insert(Ipset(Ingress, policy: 1, cidr: null, mask: 0xFF)));

        Assert.Equal(PortB, _target.Send(Frames.Tcp(A, 40000, B, 80)));
        Assert.Equal(K8sDpEngine.Drop, _target.Send(Frames.Udp(A, 40000, B, 53)));
        Assert.Equal(K8sDpEngine.Drop, _target.Send(Frames.Icmp(A, B, type: 8)));
        Assert.Equal(K8sDpEngine.Drop, _target.Send(Frames.Sctp(A, 40000, B, 3868)));
        Assert.Equal(K8sDpEngine.Drop, _target.Send(Frames.UdpLite(A, 40000, B, 5000)));
        Assert.Equal(K8sDpEngine.Drop, _target.Send(Frames.IPv4(47, A, B, new byte[8])));
    }

    [Fact]
    public void Process_EgressCatchAllAndIpset_OnlyTheListedPeerIsReachable()
    {
        _target.Write(
            Insert(DenyAll(Egress, A, protocol: null)),
            Insert(IpsetOnly(Egress, A, IPProtocols.Udp, policy: 2)),
            Insert(Ipset(Egress, policy: 2, $"{B}/32", mask: 0x01)));

        Assert.Equal(PortB, _target.Send(Frames.Udp(A, 40000, B, 53)));
        Assert.Equal(K8sDpEngine.Drop, _target.Send(Frames.Udp(A, 40000, "10.244.0.8", 53)));
        Assert.Equal(K8sDpEngine.Drop, _target.Send(Frames.Tcp(A, 40000, B, 80)));
    }

    /// <summary>Both ends have rules with range checks: P4 checks egress in pass 0 and ingress after recirculating.</summary>
    [Theory]
    [InlineData(1700, true)] // in both ranges
    [InlineData(1200, false)] // egress allows, ingress denies
    [InlineData(2200, false)] // ingress allows, egress denies
    [InlineData(3000, false)] // neither
    public void Process_EgressAndIngressRangeChecks_EitherDenyingDrops(int port, bool allowed)
    {
        _target.Write(
            Insert(Rule(Egress, A, IPProtocols.Tcp, policy: 1, CheckTcp)),
            Insert(Ipset(Egress, policy: 1, cidr: null, mask: 0x01)),
            Insert(Ranges("tcp_dport_rc_table", policy: 1, (1000, 2000))),
            Insert(Rule(Ingress, B, IPProtocols.Tcp, policy: 2, CheckTcp)),
            Insert(Ipset(Ingress, policy: 2, cidr: null, mask: 0x01)),
            Insert(Ranges("tcp_dport_rc_table", policy: 2, (1500, 2500))));

        Assert.Equal(allowed ? PortB : K8sDpEngine.Drop, _target.Send(Frames.Tcp(A, 40000, B, (ushort)port)));
    }

    [Fact]
    public void Process_ReplyOfAnAllowedConnection_PassesThoughItsOwnDirectionIsDenied()
    {
        _target.Write(
            Insert(DenyAll(Ingress, A, protocol: null)),
            Insert(Rule(Ingress, B, IPProtocols.Tcp, policy: 3, CheckTcp)),
            Insert(Ipset(Ingress, policy: 3, cidr: null, mask: 0x01)),
            Insert(Ranges("tcp_dport_rc_table", policy: 3, (80, 80))));

        Assert.Equal(PortB, _target.Send(Frames.Tcp(A, 40000, B, 80)));
        Assert.Equal(PortA, _target.Send(Frames.Tcp(B, 80, A, 40000, TcpFlags.Syn | TcpFlags.Ack)));
        Assert.Equal(PortB, _target.Send(Frames.Tcp(A, 40000, B, 80, TcpFlags.Ack)));

        // New tuples are checked: B opening to A, and A to a port B's policy does not allow.
        Assert.Equal(K8sDpEngine.Drop, _target.Send(Frames.Tcp(B, 5000, A, 22)));
        Assert.Equal(K8sDpEngine.Drop, _target.Send(Frames.Tcp(A, 40001, B, 81)));

        // One learned entry, the same for both directions: the lower address and its port first.
        var learned = Assert.Single(_target.Read(new TableEntry { TableId = Names.Table("acl_conntrack").Id }));
        var key = Names.Table("acl_conntrack");
        Assert.Equal(
            [Ip(A), Ip(B), IPProtocols.Tcp, 40000UL, 80UL],
            new[] { "meta.ct_ip_lo", "meta.ct_ip_hi", "hdr.ipv4.protocol", "meta.ct_port_lo", "meta.ct_port_hi" }
                .Select(f => ValueOf(learned.Match.Single(m => m.FieldId == key.Field(f).Id).Exact.Value.Span)));
        Assert.Equal(Names.Action("acl_conntrack_hit").Id, learned.Action.Action.ActionId);

        // The control plane may delete a learned connection as read; then the reply is judged by A's policy again.
        _target.Write(Delete(learned));
        Assert.Equal(K8sDpEngine.Drop, _target.Send(Frames.Tcp(B, 80, A, 40000, TcpFlags.Ack)));
    }

    [Fact]
    public void Process_IcmpEcho_TypeCodeCheckedAndTheReplyPassesByIdentifier()
    {
        _target.Write(
            Insert(DenyAll(Ingress, A, protocol: null)),
            Insert(Rule(Ingress, B, IPProtocols.Icmp, policy: 4, CheckIcmp)),
            Insert(Ipset(Ingress, policy: 4, cidr: null, mask: 0x01)),
            Insert(Ranges("icmp_type_code_check_table", policy: 4, (0x0800, 0x0800))));

        Assert.Equal(PortB, _target.Send(Frames.Icmp(A, B, type: 8, identifier: 7)));
        Assert.Equal(PortA, _target.Send(Frames.Icmp(B, A, type: 0, identifier: 7)));
        Assert.Equal(K8sDpEngine.Drop, _target.Send(Frames.Icmp(B, A, type: 0, identifier: 8)));
        Assert.Equal(K8sDpEngine.Drop, _target.Send(Frames.Icmp(B, A, type: 8, identifier: 9)));
        Assert.Equal(K8sDpEngine.Drop, _target.Send(Frames.Icmp(A, B, type: 13)));
        Assert.Equal(K8sDpEngine.Drop, _target.Send(Frames.Icmp(A, B, type: 8, code: 1, identifier: 10)));
    }

    [Theory]
    [InlineData(IPProtocols.Udp, CheckUdp, "udp_dport_rc_table", 53)]
    [InlineData(IPProtocols.Sctp, CheckSctp, "sctp_dport_rc_table", 3868)]
    [InlineData(IPProtocols.UdpLite, CheckUdpLite, "udpl_dport_rc_table", 5000)]
    public void Process_PortProtocols_RangeCheckedOnTheirOwnTables(byte protocol, byte check, string table, int port)
    {
        _target.Write(
            Insert(Rule(Ingress, B, protocol, policy: 5, check)),
            Insert(Ipset(Ingress, policy: 5, cidr: null, mask: 0x01)),
            Insert(Ranges(table, policy: 5, ((ushort)port, (ushort)port))));

        Assert.Equal(PortB, _target.Send(Frame(protocol, A, 40000, B, (ushort)port)));
        Assert.Equal(K8sDpEngine.Drop, _target.Send(Frame(protocol, A, 40001, B, (ushort)(port + 1))));
    }

    [Fact]
    public void Process_RuleWithoutRangeCheckEntry_DefaultDenies()
    {
        // tcp_dport_rc_table has no entry for policy 6: its const default acl_deny gives no range bit.
        _target.Write(Insert(Rule(Ingress, B, IPProtocols.Tcp, policy: 6, CheckTcp)), Insert(Ipset(Ingress, policy: 6, cidr: null, mask: 0xFF)));

        Assert.Equal(K8sDpEngine.Drop, _target.Send(Frames.Tcp(A, 40000, B, 80)));
    }

    [Theory]
    [InlineData(8080, true)] // the backend's port: the policy sees the connection after DNAT
    [InlineData(80, false)] // the service's port is not what reaches the pod
    public void Process_ServiceConnection_CheckedOnTheBackendAndItsSnatReplyPassesByConntrack(int allowedPort, bool allowed)
    {
        const string vip = "10.96.0.10";
        _target.Write(Insert(Entry("write_dest_ip_table", ("meta.mod_blob_ptr_dnat", 17)).With("update_dst_ip", ("new_ip", Ip(B)), ("new_port", 8080))));
        _target.Write(Insert(Member("as_sl3_tcp", 17, 17)));
        _target.Write(Insert(Group("as_sl3_tcp", 1, 17)));
        _target.Write(
            Insert(Entry("set_meta_tcp", ("hdr.ipv4.dst_addr", Ip(B)), ("hdr.tcp.dst_port", 8080)).With("set_key_for_reverse_ct", ("ptr", 1))),
            Insert(Entry("tx_balance_tcp", ("hdr.ipv4.dst_addr", Ip(vip)), ("hdr.tcp.dst_port", 80)).WithGroup(1)),
            Insert(Entry("write_source_ip_table", ("meta.mod_blob_ptr_snat", 1)).With("update_src_ip", ("new_ip", Ip(vip)), ("new_port", 80))));
        _target.Write(
            Insert(DenyAll(Ingress, A, protocol: null)),
            Insert(Rule(Ingress, B, IPProtocols.Tcp, policy: 9, CheckTcp)),
            Insert(Ipset(Ingress, policy: 9, "10.244.0.0/16", mask: 0x01)),
            Insert(Ranges("tcp_dport_rc_table", policy: 9, ((ushort)allowedPort, (ushort)allowedPort))));

        var syn = Frames.Tcp(A, 40000, vip, 80);
        var reply = Frames.Tcp(B, 8080, A, 40000, TcpFlags.Syn | TcpFlags.Ack);

        if (!allowed)
        {
            Assert.Equal(K8sDpEngine.Drop, _target.Send(syn));
            Assert.Equal(K8sDpEngine.Drop, _target.Send(reply));
            return;
        }

        Assert.Equal(PortB, _target.Send(syn));
        var dnat = Frames.Parse(syn);
        Assert.Equal((IPv4Address.Parse(B), (ushort)8080), (dnat.IPv4Destination, dnat.DestinationPort));
        Assert.Equal(PortA, _target.Send(reply));
        var snat = Frames.Parse(reply);
        Assert.Equal((IPv4Address.Parse(vip), (ushort)80), (snat.IPv4Source, snat.SourcePort));
    }

    [Fact]
    public void Process_ArpAndNonIPv4_NeverFiltered()
    {
        _target.Write(Insert(DenyAll(Ingress, B, protocol: null)), Insert(DenyAll(Egress, A, protocol: null)));
        var arp = new byte[Packets.Arp.ArpFrames.FrameLength];
        Packets.Arp.ArpFrames.WriteRequest(arp, MacAddress.Parse("02:00:00:00:00:06"), IPv4Address.Parse(A), IPv4Address.Parse(B));
        var ipv6 = Frames.Tcp(A, 40000, B, 80);
        ipv6[12] = 0x86;
        ipv6[13] = 0xDD;

        Assert.NotEqual(K8sDpEngine.Drop, _target.Send(arp));
        Assert.NotEqual(K8sDpEngine.Drop, _target.Send(ipv6));
        Assert.Equal(K8sDpEngine.Drop, _target.Send(Frames.Tcp(A, 40000, B, 80)));
    }

    /// <summary>STYLE.md hot paths: only a new connection's learning allocates; lookups, checks and drops do not.</summary>
    [Fact]
    public void Process_AfterWarmUp_EstablishedRangeCheckedAndDeniedPacketsAllocateNothing()
    {
        _target.Write(
            Insert(DenyAll(Ingress, A, protocol: null)),
            Insert(Rule(Ingress, B, IPProtocols.Tcp, policy: 7, CheckTcp)),
            Insert(Ipset(Ingress, policy: 7, "10.244.0.0/16", mask: 0x01)),
            Insert(Ipset(Ingress, policy: 7, "10.244.0.0/24", mask: 0x01)),
            Insert(Ranges("tcp_dport_rc_table", policy: 7, (8000, 8080))));
        byte[][] frames =
        [
            Frames.Tcp(A, 40000, B, 8000, TcpFlags.Ack),
            Frames.Tcp(B, 8000, A, 40000, TcpFlags.Ack),
            Frames.Tcp(A, 40001, B, 9000),
            Frames.Tcp(B, 5000, A, 22),
        ];
        int[] expected = [PortB, PortA, K8sDpEngine.Drop, K8sDpEngine.Drop];
        Assert.Equal(expected, frames.Select(_target.Send));

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            foreach (var frame in frames)
            {
                _target.Send(frame);
            }
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static byte[] Frame(byte protocol, string source, ushort sourcePort, string destination, ushort destinationPort) => protocol switch
    {
        IPProtocols.Udp => Frames.Udp(source, sourcePort, destination, destinationPort),
        IPProtocols.Sctp => Frames.Sctp(source, sourcePort, destination, destinationPort),
        IPProtocols.UdpLite => Frames.UdpLite(source, sourcePort, destination, destinationPort),
        _ => Frames.Tcp(source, sourcePort, destination, destinationPort),
    };

    private static ulong ValueOf(ReadOnlySpan<byte> value) => P4Pipeline.P4Bytes.ToUInt64(value);

    /// <summary>acl_pod_ip_proto_table_{direction}: the pod's address, and the protocol as /8 or omitted (the catch-all).</summary>
    internal static TableEntry PodAcl(string direction, string pod, byte? protocol)
    {
        var entry = Entry($"acl_pod_ip_proto_table_{direction}", (direction == Egress ? "hdr.ipv4.src_addr" : "hdr.ipv4.dst_addr", Ip(pod)));
        return protocol is { } value ? entry.WithLpm("hdr.ipv4.protocol", value, 8) : entry;
    }

    internal static TableEntry DenyAll(string direction, string pod, byte? protocol) =>
        PodAcl(direction, pod, protocol).With("set_status_deny_all");

    internal static TableEntry IpsetOnly(string direction, string pod, byte protocol, byte policy) =>
        PodAcl(direction, pod, protocol).With("set_status_match_ipset_only", ("pol_id", policy));

    internal static TableEntry Rule(string direction, string pod, byte protocol, byte policy, byte rangeCheck) =>
        PodAcl(direction, pod, protocol).With("set_range_check_ref", ("pol_id", policy), ("range_check_ref", rangeCheck));

    /// <summary>acl_ipset_match_table_{direction}: the policy and the peer's prefix, omitted for 0.0.0.0/0 as the manager writes it.</summary>
    internal static TableEntry Ipset(string direction, byte policy, string? cidr, byte mask)
    {
        var entry = Entry($"acl_ipset_match_table_{direction}", ("meta.acl_pol_id", policy));
        if (cidr is not null)
        {
            var slash = cidr.IndexOf('/', StringComparison.Ordinal);
            entry.WithLpm(direction == Egress ? "hdr.ipv4.dst_addr" : "hdr.ipv4.src_addr", Ip(cidr[..slash]), int.Parse(cidr[(slash + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        }

        return entry.With("set_ipset_match_result", ("ipset_matched_mask", mask));
    }

    /// <summary>A range-check entry with all 16 parameters; slots past <paramref name="ranges"/> are unused (min 1, max 0).</summary>
    internal static TableEntry Ranges(string table, byte policy, params (ushort Min, ushort Max)[] ranges)
    {
        var action = table switch
        {
            "tcp_dport_rc_table" => "do_range_check_tcp",
            "udp_dport_rc_table" => "do_range_check_udp",
            "sctp_dport_rc_table" => "do_range_check_sctp",
            "udpl_dport_rc_table" => "do_range_check_udplite",
            _ => "do_icmp_type_code_check",
        };
        var parameters = new List<(string, ulong)>();
        for (var i = 0; i < 8; i++)
        {
            parameters.Add(($"min{i}", i < ranges.Length ? ranges[i].Min : 1UL));
            parameters.Add(($"max{i}", i < ranges.Length ? ranges[i].Max : 0UL));
        }

        return Entry(table, ("meta.acl_pol_id", policy)).With(action, [.. parameters]);
    }
}
