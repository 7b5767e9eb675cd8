using Google.Protobuf;
using P4Pipeline;
using Packets;
using Packets.Parsing;
using Packets.Rewrite;
using Proto.P4.V1;
using SoftTarget.Runtime;

namespace SoftTarget.DataPlane;

/// <summary>
/// The k8s_dp control flow (reference-behaviour.md 2.3) on one frame: service load balancing with
/// connection pinning (tx_balance_*, pinned_flows*, set_meta_*), DNAT/SNAT, then forwarding by ARP
/// target or IPv4 destination. Thread-safe: workers of every port call it at once; tables are read
/// lock-free and only learned flows are added.
/// </summary>
internal sealed class K8sDpEngine
{
    public const int Drop = -1;
    private const uint DefaultHostPort = 1;
    private const int WriteSourceIp = 1;
    private const int WriteDestinationIp = 2;

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

        if (headers.HasTcp || headers.HasUdp)
        {
            LoadBalance(tables, frame, ref headers, checksumPartial);
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

    private void LoadBalance(K8sDpTables tables, Span<byte> frame, ref FrameHeaders headers, bool checksumPartial)
    {
        var tcp = headers.HasTcp;
        var protocol = headers.IPv4Protocol;
        uint source = headers.IPv4Source.Value, destination = headers.IPv4Destination.Value;
        ushort sourcePort = headers.SourcePort, destinationPort = headers.DestinationPort;
        var action = 0;
        ulong dnatPointer = 0, snatPointer = 0;
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
            if (tables.WriteSource.Entries.TryGetValue(new EntryKey(snatPointer, null), out var snat) && snat.Action.Id == tables.UpdateSourceIp)
            {
                FrameRewriter.RewriteSource(frame, ref headers, new IPv4Address((uint)snat.Action.Params[0]), (ushort)snat.Action.Params[1], checksumPartial);
            }
        }
        else if (action == WriteDestinationIp)
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
            Learn(tables.PinnedFlows, tables.PinnedFlowsHit, key, source, destination, protocol, sourcePort, destinationPort, dnatPointer);
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
            Learn(tables.PinnedFlowsReverse, tables.PinnedFlowsReverseHit, key, backend, client, protocol, backendPort, clientPort, snatPointer);
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

    /// <summary>add_on_miss: the data plane inserts the hit action itself, as PNA's add_entry does, while the table has room.</summary>
    private void Learn(TableState table, ActionInfo hit, EntryKey key, uint source, uint destination, byte protocol, ushort sourcePort, ushort destinationPort, ulong pointer)
    {
        if (table.Info.Size > 0 && table.Count >= table.Info.Size)
        {
            return;
        }

        var entry = new TableEntry { TableId = table.Info.Id };
        foreach (var field in table.Info.MatchFields)
        {
            ulong value = field.Name switch
            {
                "meta.src_ip" => source,
                "meta.dst_ip" => destination,
                "hdr.ipv4.protocol" => protocol,
                "meta.src_port" => sourcePort,
                _ => destinationPort,
            };
            entry.Match.Add(new FieldMatch { FieldId = field.Id, Exact = new FieldMatch.Types.Exact { Value = P4Bytes.FromUInt(value) } });
        }

        var action = new Proto.P4.V1.Action { ActionId = hit.Id };
        action.Params.Add(new Proto.P4.V1.Action.Types.Param { ParamId = hit.Params[0].Id, Value = P4Bytes.FromUInt(pointer) });
        entry.Action = new TableAction { Action = action };
        var stored = new StoredEntry(entry, new EntryAction(EntryActionKind.Action, hit.Id, [pointer])) { Learned = true, LastHit = _time.GetTimestamp() };
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
