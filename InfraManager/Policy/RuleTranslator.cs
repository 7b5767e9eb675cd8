using System.Globalization;
using Packets;
using Proto.Felix;

namespace InfraManager.Policy;

/// <summary>
/// Felix rules → <see cref="AllowRule"/>s. k8s_dp checks a union of allow rules per pod, protocol and
/// direction (the far address by longest prefix, the destination port or ICMP type/code by range),
/// so it expresses allow rules on protocol, nets, IP sets, destination ports and ICMP type/code,
/// rules that do not apply to IPv4, log rules (no effect on the verdict) and a deny rule without
/// match criteria (nothing after it is reached). Anything else is named in an error: the caller
/// then closes the direction rather than let through what the rule would stop.
/// </summary>
internal static class RuleTranslator
{
    /// <summary>What one policy's or profile's rules of one direction come to.</summary>
    /// <param name="Rules">The allow rules, in order, up to a catch-all deny.</param>
    /// <param name="Ends">A catch-all deny ended the list: later policies of the tier are not reached.</param>
    /// <param name="Error">Why the rules cannot be expressed ("inbound_rules[2].not_src_net: ..."), or null.</param>
    internal sealed record Translation(IReadOnlyList<AllowRule> Rules, bool Ends, string? Error);

    public static Translation Translate(IEnumerable<Rule> rules, AclDirection direction, IReadOnlyDictionary<string, IPSetUpdate> ipSets)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(ipSets);
        var list = direction == AclDirection.Ingress ? "inbound_rules" : "outbound_rules";
        var allowed = new List<AllowRule>();
        var index = 0;
        foreach (var rule in rules)
        {
            var path = $"{list}[{index++}]";
            if (rule.IpVersion == IPVersion.Ipv6)
            {
                continue;
            }

            var unsupported = Unsupported(rule);
            if (unsupported is not null)
            {
                return new Translation(allowed, false, $"{path}.{unsupported}");
            }

            switch (rule.Action.ToLowerInvariant())
            {
                case "allow":
                    var (allow, error) = Allow(rule, direction, ipSets);
                    if (error is not null)
                    {
                        return new Translation(allowed, false, $"{path}.{error}");
                    }

                    if (allow is not null)
                    {
                        allowed.Add(allow);
                    }

                    break;
                case "log":
                    break;
                case "deny" when HasNoMatch(rule):
                    return new Translation(allowed, true, null);
                case "deny":
                    return new Translation(allowed, false, $"{path}.action: a deny rule with match criteria cannot be expressed (k8s_dp checks a union of allow rules)");
                default:
                    return new Translation(allowed, false, $"{path}.action: '{rule.Action}' cannot be expressed (k8s_dp checks a union of allow rules)");
            }
        }

        return new Translation(allowed, false, null);
    }

    // The matches k8s_dp has no stage for, by field name.
    private static string? Unsupported(Rule rule)
    {
        if (rule.NotProtocol is not null || rule.NotSrcNet.Count > 0 || rule.NotSrcPorts.Count > 0 || rule.NotDstNet.Count > 0 || rule.NotDstPorts.Count > 0
            || rule.NotIcmpCase != Rule.NotIcmpOneofCase.None || rule.NotSrcIpSetIds.Count > 0 || rule.NotDstIpSetIds.Count > 0
            || rule.NotSrcNamedPortIpSetIds.Count > 0 || rule.NotDstNamedPortIpSetIds.Count > 0)
        {
            return $"{NegatedField(rule)}: negated matches cannot be expressed (k8s_dp matches allow rules only)";
        }

        if (rule.SrcPorts.Count > 0)
        {
            return "src_ports: k8s_dp checks destination ports only";
        }

        if (rule.SrcNamedPortIpSetIds.Count > 0 || rule.DstNamedPortIpSetIds.Count > 0)
        {
            return (rule.SrcNamedPortIpSetIds.Count > 0 ? "src" : "dst") + "_named_port_ip_set_ids: named ports cannot be expressed";
        }

        if (rule.DstIpPortSetIds.Count > 0)
        {
            return "dst_ip_port_set_ids: IP-and-port sets (service matches) cannot be expressed";
        }

        if (rule.SrcServiceAccountMatch is { } src && (src.Names.Count > 0 || src.Selector.Length > 0))
        {
            return "src_service_account_match: service account matches cannot be expressed";
        }

        if (rule.DstServiceAccountMatch is { } dst && (dst.Names.Count > 0 || dst.Selector.Length > 0))
        {
            return "dst_service_account_match: service account matches cannot be expressed";
        }

        return rule.HttpMatch is { } http && (http.Methods.Count > 0 || http.Paths.Count > 0)
            ? "http_match: HTTP matches cannot be expressed"
            : null;
    }

    private static string NegatedField(Rule rule) =>
        rule.NotProtocol is not null ? "not_protocol"
        : rule.NotSrcNet.Count > 0 ? "not_src_net"
        : rule.NotSrcPorts.Count > 0 ? "not_src_ports"
        : rule.NotDstNet.Count > 0 ? "not_dst_net"
        : rule.NotDstPorts.Count > 0 ? "not_dst_ports"
        : rule.NotIcmpCase == Rule.NotIcmpOneofCase.NotIcmpType ? "not_icmp_type"
        : rule.NotIcmpCase == Rule.NotIcmpOneofCase.NotIcmpTypeCode ? "not_icmp_type_code"
        : rule.NotSrcIpSetIds.Count > 0 ? "not_src_ip_set_ids"
        : rule.NotDstIpSetIds.Count > 0 ? "not_dst_ip_set_ids"
        : rule.NotSrcNamedPortIpSetIds.Count > 0 ? "not_src_named_port_ip_set_ids"
        : "not_dst_named_port_ip_set_ids";

    private static bool HasNoMatch(Rule rule) =>
        rule.Protocol is null or { NumberOrNameCase: Proto.Felix.Protocol.NumberOrNameOneofCase.None } && rule.SrcNet.Count == 0 && rule.DstNet.Count == 0 && rule.DstPorts.Count == 0
        && rule.IcmpCase == Rule.IcmpOneofCase.None && rule.SrcIpSetIds.Count == 0 && rule.DstIpSetIds.Count == 0;

    private static (AllowRule? Rule, string? Error) Allow(Rule rule, AclDirection direction, IReadOnlyDictionary<string, IPSetUpdate> ipSets)
    {
        byte? protocol = null;
        if (rule.Protocol is { NumberOrNameCase: not Proto.Felix.Protocol.NumberOrNameOneofCase.None } p)
        {
            var (number, error) = Protocol(p);
            if (error is not null)
            {
                return (null, error);
            }

            if (number == IcmpV6)
            {
                return (null, null); // an IPv6-only protocol: the rule never matches IPv4
            }

            protocol = number;
        }

        var ranges = new List<PortRange>();
        foreach (var (range, i) in rule.DstPorts.Select((r, i) => (r, i)))
        {
            if (protocol is not (IPProtocols.Tcp or IPProtocols.Udp or IPProtocols.Sctp or IPProtocols.UdpLite))
            {
                return (null, "dst_ports: ports need protocol tcp, udp, sctp or udplite");
            }

            var last = range.Last == 0 ? range.First : range.Last;
            if (range.First < 0 || last > ushort.MaxValue || range.First > last)
            {
                return (null, $"dst_ports[{i}]: {range.First}-{range.Last} is not a port range");
            }

            ranges.Add(new PortRange((ushort)range.First, (ushort)last));
        }

        if (rule.IcmpCase != Rule.IcmpOneofCase.None)
        {
            if (protocol != IPProtocols.Icmp)
            {
                return (null, "icmp_type: ICMP types need protocol icmp");
            }

            var type = rule.IcmpCase == Rule.IcmpOneofCase.IcmpType ? rule.IcmpType : rule.IcmpTypeCode.Type;
            var code = rule.IcmpCase == Rule.IcmpOneofCase.IcmpTypeCode ? rule.IcmpTypeCode.Code : -1;
            if (type is < 0 or > 255 || code > 255)
            {
                return (null, "icmp_type: type and code are 0-255");
            }

            ranges.Add(code < 0 ? new PortRange((ushort)(type << 8), (ushort)((type << 8) | 0xFF)) : new PortRange((ushort)((type << 8) | code), (ushort)((type << 8) | code)));
        }

        var ingress = direction == AclDirection.Ingress;
        var (remote, remoteError) = Addresses(ingress ? rule.SrcNet : rule.DstNet, ingress ? rule.SrcIpSetIds : rule.DstIpSetIds, ingress ? "src" : "dst", ipSets);
        if (remoteError is not null)
        {
            return (null, remoteError);
        }

        IReadOnlyList<Ipv4Prefix>? local = null;
        var localNets = ingress ? rule.DstNet : rule.SrcNet;
        var localSets = ingress ? rule.DstIpSetIds : rule.SrcIpSetIds;
        if (localNets.Count > 0 || localSets.Count > 0)
        {
            var (addresses, localError) = Addresses(localNets, localSets, ingress ? "dst" : "src", ipSets);
            if (localError is not null)
            {
                return (null, localError);
            }

            local = addresses;
        }

        return (new AllowRule(protocol, remote!, ranges, local), null); // Addresses returned a list: no error
    }

    // Any of the nets (all addresses when none) and in every one of the sets; IPv6 entries do not count.
    private static (IReadOnlyList<Ipv4Prefix>? Addresses, string? Error) Addresses(Google.Protobuf.Collections.RepeatedField<string> nets, Google.Protobuf.Collections.RepeatedField<string> setIds, string side, IReadOnlyDictionary<string, IPSetUpdate> ipSets)
    {
        IReadOnlyList<Ipv4Prefix> addresses = [Ipv4Prefix.Any];
        if (nets.Count > 0)
        {
            var parsed = new List<Ipv4Prefix>();
            foreach (var (net, i) in nets.Select((n, i) => (n, i)))
            {
                if (Ipv4Prefix.TryParse(net, out var prefix))
                {
                    parsed.Add(prefix);
                }
                else if (!net.Contains(':', StringComparison.Ordinal))
                {
                    return (null, $"{side}_net[{i}]: '{net}' is not a CIDR");
                }
            }

            addresses = Ipv4Prefix.Normalize(parsed);
        }

        foreach (var id in setIds)
        {
            if (!ipSets.TryGetValue(id, out var set))
            {
                addresses = []; // Felix sends a set before the rules naming it; until then it is empty
                continue;
            }

            if (set.Type == IPSetUpdate.Types.IPSetType.IpAndPort)
            {
                return (null, $"{side}_ip_set_ids: IP set {id} holds IP-and-port members, which cannot be expressed");
            }

            var members = new List<Ipv4Prefix>(set.Members.Count);
            foreach (var member in set.Members)
            {
                if (Ipv4Prefix.TryParse(member, out var prefix))
                {
                    members.Add(prefix);
                }
            }

            addresses = Ipv4Prefix.Intersect(addresses, Ipv4Prefix.Normalize(members));
        }

        return (addresses, null);
    }

    // Calico names it; it never matches IPv4.
    private const byte IcmpV6 = 58;

    private static (byte Number, string? Error) Protocol(Proto.Felix.Protocol protocol) => protocol.NumberOrNameCase switch
    {
        Proto.Felix.Protocol.NumberOrNameOneofCase.Number when protocol.Number is >= 1 and <= 255 => ((byte)protocol.Number, null),
        Proto.Felix.Protocol.NumberOrNameOneofCase.Number => (0, $"protocol.number: {protocol.Number.ToString(CultureInfo.InvariantCulture)} is not an IP protocol (1-255)"),
        _ => protocol.Name.ToLowerInvariant() switch
        {
            "tcp" => (IPProtocols.Tcp, null),
            "udp" => (IPProtocols.Udp, null),
            "icmp" => (IPProtocols.Icmp, null),
            "sctp" => (IPProtocols.Sctp, null),
            "udplite" => (IPProtocols.UdpLite, null),
            "icmpv6" => (IcmpV6, null),
            _ => (0, $"protocol.name: '{protocol.Name}' is not a protocol Calico names (tcp, udp, icmp, icmpv6, sctp, udplite)"),
        },
    };
}
