using Google.Protobuf;
using P4Pipeline;
using Packets;
using Packets.Parsing;
using Packets.Rewrite;
using Proto.P4.V1;
using SoftTarget.Runtime;

namespace SoftTarget.DataPlane;

/// <summary>
/// The k8s_dp control flow (reference-behaviour.md 2.3, acl-spec.md) on one frame: service load balancing
/// with connection pinning (tx_balance_*, pinned_flows*, set_meta_*) and DNAT, the network-policy ACL of
/// the source pod (egress) and the destination pod (ingress), SNAT, the ACL conntrack, then forwarding by
/// ARP target or IPv4 destination. Thread-safe: workers of every port call it at once; tables are read
/// lock-free and only learned flows are added.
/// </summary>
internal sealed class K8sDpEngine
{
    public const int Drop = -1;
    private const uint DefaultHostPort = 1;
    private const int WriteSourceIp = 1;
    private const int WriteDestinationIp = 2;

    // meta.acl_status (acl-spec.md).
    private const byte AllowAll = 0;
    private const byte MatchIpset = 1;
    private const byte DenyAll = 2;
    private const byte MatchRule = 3;

    // range_check_ref: 0 checks nothing (every range bit set), 1..5 pick the table.
    private const byte NoRangeCheck = 0;
    private const byte AllRanges = 0xFF;
    private const int RangeSlots = 8;

    private const byte IcmpEchoReply = 0;
    private const byte IcmpEchoRequest = 8;

    private readonly TimeProvider _time;
    private K8sDpTables? _tables;

    public K8sDpEngine(TimeProvider time)
    {
        _time = time;
    }

    public K8sDpTables? Tables
    {
        get => Volatile.Read(ref _tables);
        set => Volatile.Write(ref _tables, value);
    }

    /// <summary>Runs the pipeline on <paramref name="frame"/> (rewritten in place); returns the output port or <see cref="Drop"/>.</summary>
    /// <param name="checksumPartial">The L4 checksum holds only the pseudo-header sum (virtio NEEDS_CSUM).</param>
    public int Process(Span<byte> frame, bool checksumPartial)
    {
        var tables = Tables;
        if (tables is null || !FrameHeaders.TryParse(frame, out var headers))
        {
            return Drop;
        }

        if (headers.HasArp)
        {
            return tables.ArpToPort.Entries.TryGetValue(new EntryKey(headers.ArpTargetIp.Value, null), out var arp) && arp.Action.Id == tables.SetDestVport
                ? (int)arp.Action.Params[0]
                : (int)DefaultHostPort;
        }

        if (!headers.HasIPv4)
        {
            return (int)DefaultHostPort;
        }

        var snat = false;
        ulong snatPointer = 0;
        if (headers.HasTcp || headers.HasUdp)
        {
            snat = LoadBalance(tables, frame, ref headers, checksumPartial, out snatPointer);
        }

        // acl-spec.md steps 2-4 on the pod-side tuple: after DNAT, before SNAT.
        var protocol = headers.IPv4Protocol;
        uint source = headers.IPv4Source.Value, destination = headers.IPv4Destination.Value;
        var aclPort = headers.HasIcmp ? headers.IcmpTypeCode : headers.DestinationPort;
        var conntrack = ConntrackKey(tables, in headers);
        var egress = Classify(tables, tables.AclPodEgressIndex, tables.AclPodEgress, tables.AclIpsetEgressIndex, tables.AclIpsetEgress, source, protocol, destination);
        var ingress = Classify(tables, tables.AclPodIngressIndex, tables.AclPodIngress, tables.AclIpsetIngressIndex, tables.AclIpsetIngress, destination, protocol, source);

        if (snat)
        {
            SourceNat(tables, frame, ref headers, snatPointer, checksumPartial);
        }

        // Steps 6-8. P4 checks one range per pass (the rc tables serve both directions) and recirculates for
        // the second; the metadata, acl_dport included, carries over, so doing both checks here is the same.
        var allowed = Allows(tables, egress, aclPort) && Allows(tables, ingress, aclPort);

        // Step 9: a packet of a connection already allowed passes whatever its own direction's policy says.
        if (Lookup(tables.AclConntrack, conntrack) is null)
        {
            if (!allowed)
            {
                return Drop;
            }

            Learn(tables.AclConntrack, tables.AclConntrackHit, conntrack, []);
        }

        if (!tables.Ipv4ToPort.Entries.TryGetValue(new EntryKey(headers.IPv4Destination.Value, null), out var route) || route.Action.Id != tables.SetDestMacVport)
        {
            return (int)DefaultHostPort;
        }

        var newMac = route.Action.Params[1];
        if (newMac != 0 && newMac != headers.DestinationMac.Value)
        {
            FrameRewriter.SetSourceMac(frame, headers.DestinationMac);
            FrameRewriter.SetDestinationMac(frame, new MacAddress(newMac));
        }

        return (int)route.Action.Params[0];
    }

    /// <summary>Balances and DNATs in place; true with <paramref name="snatPointer"/> when the reply direction needs SNAT, which acl-spec.md step 5 applies after the ACL lookups.</summary>
    private bool LoadBalance(K8sDpTables tables, Span<byte> frame, ref FrameHeaders headers, bool checksumPartial, out ulong snatPointer)
    {
        var tcp = headers.HasTcp;
        var protocol = headers.IPv4Protocol;
        uint source = headers.IPv4Source.Value, destination = headers.IPv4Destination.Value;
        ushort sourcePort = headers.SourcePort, destinationPort = headers.DestinationPort;
        var action = 0;
        ulong dnatPointer = 0;
        snatPointer = 0;
        var learn = false;
        var createReverse = false;

        // Only a pure SYN (TCP) or any UDP packet consults the balancer; the rest follow the pins.
        var consultBalancer = tcp ? headers.TcpFlags == TcpFlags.Syn : true;
        var balanced = consultBalancer && Balance(tables, tcp, destination, destinationPort, source, sourcePort, out dnatPointer);
        if (balanced)
        {
            action = WriteDestinationIp;
        }

        if (consultBalancer && (tcp || balanced))
        {
            learn = true;
            createReverse = true;
            action = PinnedForward(tables, source, destination, protocol, sourcePort, destinationPort, learn, ref dnatPointer, action);
        }
        else
        {
            var reverse = Lookup(tables.PinnedFlowsReverse, KeyOf(tables.ReverseFlowShifts, source, destination, protocol, sourcePort, destinationPort));
            if (reverse is not null)
            {
                action = WriteSourceIp;
                snatPointer = reverse.Action.Params[0];
            }
            else if (tcp)
            {
                action = PinnedForward(tables, source, destination, protocol, sourcePort, destinationPort, learn: false, ref dnatPointer, action);
            }
        }

        if (action == WriteSourceIp)
        {
            return true;
        }

        if (action == WriteDestinationIp)
        {
            if (tables.WriteDestination.Entries.TryGetValue(new EntryKey(dnatPointer, null), out var dnat) && dnat.Action.Id == tables.UpdateDestinationIp)
            {
                FrameRewriter.RewriteDestination(frame, ref headers, new IPv4Address((uint)dnat.Action.Params[0]), (ushort)dnat.Action.Params[1], checksumPartial);
            }

            if (createReverse)
            {
                LearnReverse(tables, tcp, ref headers, protocol);
            }
        }

        return false;
    }

    /// <summary>write_source_ip_table: the reply of a service connection leaves from the service's address and port.</summary>
    private static void SourceNat(K8sDpTables tables, Span<byte> frame, ref FrameHeaders headers, ulong pointer, bool checksumPartial)
    {
        if (tables.WriteSource.Entries.TryGetValue(new EntryKey(pointer, null), out var snat) && snat.Action.Id == tables.UpdateSourceIp)
        {
            FrameRewriter.RewriteSource(frame, ref headers, new IPv4Address((uint)snat.Action.Params[0]), (ushort)snat.Action.Params[1], checksumPartial);
        }
    }

    /// <summary>
    /// acl_conntrack's key for the packet's connection, the same both ways: ports of TCP, UDP, SCTP and UDP-Lite;
    /// an ICMP echo's identifier as both ports; else none; the lower (address, port) end first.
    /// </summary>
    private static EntryKey ConntrackKey(K8sDpTables tables, in FrameHeaders headers)
    {
        ushort sourcePort = headers.SourcePort, destinationPort = headers.DestinationPort;
        if (headers.HasIcmp && headers.IcmpType is IcmpEchoRequest or IcmpEchoReply)
        {
            sourcePort = destinationPort = headers.IcmpIdentifier;
        }

        var a = ((ulong)headers.IPv4Source.Value << 16) | sourcePort;
        var b = ((ulong)headers.IPv4Destination.Value << 16) | destinationPort;
        if (a > b)
        {
            (a, b) = (b, a);
        }

        return new EntryKey(K8sDpTables.FlowKey(tables.ConntrackShifts, (uint)(a >> 16), (uint)(b >> 16), headers.IPv4Protocol, (ushort)a, (ushort)b), null);
    }

    /// <summary>
    /// One direction's pod table (by the pod's address and the protocol, longest prefix) and, for a policy,
    /// its ipset table (by the policy and the peer's address): acl-spec.md steps 3 and 4.
    /// </summary>
    private static AclDirection Classify(K8sDpTables tables, LpmIndex podIndex, TableState podTable, LpmIndex ipsetIndex, TableState ipsetTable, uint pod, byte protocol, uint peer)
    {
        var entry = podIndex.Snapshot.Find(pod, protocol) ?? podTable.DefaultEntry;
        if (entry is null)
        {
            return default;
        }

        var action = entry.Action;
        byte status, policy = 0, rangeCheck = NoRangeCheck;
        if (action.Id == tables.SetStatusMatchIpsetOnly)
        {
            status = MatchIpset;
            policy = (byte)action.Params[0];
        }
        else if (action.Id == tables.SetRangeCheckRef)
        {
            status = MatchRule;
            policy = (byte)action.Params[0];
            rangeCheck = (byte)action.Params[1];
        }
        else
        {
            // set_status_deny_all is DENY_ALL; NoAction leaves ALLOW_ALL.
            return new AclDirection(action.Id == tables.SetStatusDenyAll ? DenyAll : AllowAll, 0, NoRangeCheck, 0);
        }

        var match = ipsetIndex.Snapshot.Find(policy, peer) ?? ipsetTable.DefaultEntry;
        var ipset = match is not null && match.Action.Id == tables.SetIpsetMatchResult ? (byte)match.Action.Params[0] : (byte)0;
        return new AclDirection(status, policy, rangeCheck, ipset);
    }

    /// <summary>dir_ok of acl-spec.md step 8, with the direction's range check (step 6) when it has a rule.</summary>
    private static bool Allows(K8sDpTables tables, AclDirection direction, ushort aclPort) => direction.Status switch
    {
        AllowAll => true,
        MatchIpset => direction.Ipset != 0,
        MatchRule => (direction.Ipset & RangeCheck(tables, direction.Policy, direction.RangeCheck, aclPort)) != 0,
        _ => false,
    };

    /// <summary>range_check_result: bit i set when min_i &lt;= acl_dport &lt;= max_i of the policy's entry; 0 on acl_deny, a miss or an unknown ref.</summary>
    private static byte RangeCheck(K8sDpTables tables, byte policy, byte rangeCheck, ushort aclPort)
    {
        if (rangeCheck == NoRangeCheck)
        {
            return AllRanges;
        }

        var table = rangeCheck switch
        {
            1 => tables.RangeCheckTcp,
            2 => tables.RangeCheckUdp,
            3 => tables.RangeCheckSctp,
            4 => tables.RangeCheckUdpLite,
            5 => tables.IcmpTypeCodeCheck,
            _ => null,
        };
        if (table is null)
        {
            return 0;
        }

        var entry = table.Entries.TryGetValue(new EntryKey(policy, null), out var hit) ? hit : table.DefaultEntry;
        if (entry is null || Array.IndexOf(tables.RangeChecks, entry.Action.Id) < 0)
        {
            return 0;
        }

        var bounds = entry.Action.Params;
        var result = 0;
        for (var i = 0; i < RangeSlots; i++)
        {
            if (bounds[2 * i] <= aclPort && aclPort <= bounds[(2 * i) + 1])
            {
                result |= 1 << i;
            }
        }

        return (byte)result;
    }

    private static bool Balance(K8sDpTables tables, bool tcp, uint destination, ushort destinationPort, uint source, ushort sourcePort, out ulong pointer)
    {
        pointer = 0;
        var (table, profile, ipShift, portShift) = tcp
            ? (tables.BalanceTcp, tables.ProfileTcp, tables.BalanceTcpIpShift, tables.BalanceTcpPortShift)
            : (tables.BalanceUdp, tables.ProfileUdp, tables.BalanceUdpIpShift, tables.BalanceUdpPortShift);
        if (!table.Entries.TryGetValue(new EntryKey(((UInt128)destination << ipShift) | ((UInt128)destinationPort << portShift), null), out var entry))
        {
            return false;
        }

        EntryAction? chosen = null;
        if (entry.Action.Kind == EntryActionKind.Group && profile.Groups.TryGetValue(entry.Action.Id, out var group))
        {
            var buckets = group.Buckets;
            if (buckets.Length > 0)
            {
                chosen = buckets[(int)(FlowHash(source, sourcePort) % (uint)buckets.Length)].Action;
            }
        }
        else if (entry.Action.Kind == EntryActionKind.Member && profile.Members.TryGetValue(entry.Action.Id, out var member))
        {
            chosen = member.Action;
        }

        if (chosen is null || chosen.Id != tables.SetDefaultLbDest)
        {
            return false;
        }

        pointer = chosen.Params[0];
        return true;
    }

    /// <summary>pinned_flows: a hit overrides the balancer's choice; a miss learns it (only with add-on-miss on and a pointer).</summary>
    private int PinnedForward(K8sDpTables tables, uint source, uint destination, byte protocol, ushort sourcePort, ushort destinationPort, bool learn, ref ulong dnatPointer, int action)
    {
        var key = KeyOf(tables.FlowShifts, source, destination, protocol, sourcePort, destinationPort);
        var pinned = Lookup(tables.PinnedFlows, key);
        if (pinned is not null)
        {
            dnatPointer = pinned.Action.Params[0];
            return WriteDestinationIp;
        }

        if (learn && dnatPointer != 0)
        {
            Learn(tables.PinnedFlows, tables.PinnedFlowsHit, key, [dnatPointer]);
        }

        return action;
    }

    /// <summary>set_meta_* on the backend (post-DNAT) address gives the group for the reply's SNAT; pinned_flows_reverse learns it.</summary>
    private void LearnReverse(K8sDpTables tables, bool tcp, ref FrameHeaders headers, byte protocol)
    {
        var (table, ipShift, portShift) = tcp ? (tables.MetaTcp, tables.MetaTcpIpShift, tables.MetaTcpPortShift) : (tables.MetaUdp, tables.MetaUdpIpShift, tables.MetaUdpPortShift);
        uint backend = headers.IPv4Destination.Value, client = headers.IPv4Source.Value;
        ushort backendPort = headers.DestinationPort, clientPort = headers.SourcePort;
        if (!table.Entries.TryGetValue(new EntryKey(((UInt128)backend << ipShift) | ((UInt128)backendPort << portShift), null), out var meta) || meta.Action.Id != tables.SetKeyForReverseCt)
        {
            return;
        }

        var snatPointer = meta.Action.Params[0];
        var key = KeyOf(tables.ReverseFlowShifts, backend, client, protocol, backendPort, clientPort);
        if (snatPointer != 0 && Lookup(tables.PinnedFlowsReverse, key) is null)
        {
            Learn(tables.PinnedFlowsReverse, tables.PinnedFlowsReverseHit, key, [snatPointer]);
        }
    }

    private StoredEntry? Lookup(TableState table, EntryKey key)
    {
        if (!table.Entries.TryGetValue(key, out var entry))
        {
            return null;
        }

        if (entry.Learned)
        {
            Volatile.Write(ref entry.LastHit, _time.GetTimestamp());
        }

        return entry;
    }

    /// <summary>
    /// add_on_miss: the data plane inserts the hit action itself, as PNA's add_entry does, while the table has
    /// room. The entry's fields come out of the packed key (P4Info order, as EntityCompiler packs it), so a
    /// Read or a DELETE by the control plane finds it.
    /// </summary>
    private void Learn(TableState table, ActionInfo hit, EntryKey key, ulong[] parameters)
    {
        if (table.Info.Size > 0 && table.Count >= table.Info.Size)
        {
            return;
        }

        var fields = table.Info.MatchFields;
        var matches = new FieldMatch[fields.Count];
        var packed = key.Packed;
        for (var i = fields.Count - 1; i >= 0; i--)
        {
            var width = fields[i].BitWidth;
            matches[i] = new FieldMatch { FieldId = fields[i].Id, Exact = new FieldMatch.Types.Exact { Value = P4Bytes.FromUInt((ulong)(packed & ((UInt128.One << width) - 1))) } };
            packed >>= width;
        }

        var entry = new TableEntry { TableId = table.Info.Id };
        entry.Match.Add(matches);
        var action = new Proto.P4.V1.Action { ActionId = hit.Id };
        for (var i = 0; i < parameters.Length; i++)
        {
            action.Params.Add(new Proto.P4.V1.Action.Types.Param { ParamId = hit.Params[i].Id, Value = P4Bytes.FromUInt(parameters[i]) });
        }

        entry.Action = new TableAction { Action = action };
        var stored = new StoredEntry(entry, new EntryAction(EntryActionKind.Action, hit.Id, parameters)) { Learned = true, LastHit = _time.GetTimestamp() };
        table.TryAdd(key, stored);
    }

    private static EntryKey KeyOf(int[] shifts, uint source, uint destination, byte protocol, ushort sourcePort, ushort destinationPort) =>
        new(K8sDpTables.FlowKey(shifts, source, destination, protocol, sourcePort, destinationPort), null);

    // The selector's hash over the source address and port (hdr.ipv4.src_addr, l4 src_port).
    private static uint FlowHash(uint source, ushort sourcePort)
    {
        var hash = (source * 0x9E3779B1u) ^ ((uint)sourcePort * 0x85EBCA77u);
        hash ^= hash >> 15;
        hash *= 0x2C1B3C6Du;
        hash ^= hash >> 12;
        return hash;
    }
}
