using System.Collections.Immutable;
using Google.Protobuf;
using Packets;
using Proto.Felix;

namespace InfraManager.Policy;

/// <summary>
/// Felix's recorded model (policies, profiles, IP sets, workload endpoints) → an <see cref="AclPlan"/>.
/// Calico's semantics as k8s_dp can hold them: a pod direction is restricted by the first tier that
/// lists policies for it (allow rules of those policies, in order, up to a catch-all deny; nothing
/// else passes: the tier's default deny); with no such tier, by its profiles (Kubernetes namespace
/// profiles allow everything, which leaves the direction open). A policy the pipeline cannot express
/// closes every direction that uses it. Pure: the same model gives the same plan.
/// </summary>
internal static class PolicyTranslator
{
    public const string PolicyKind = "ActivePolicy/";
    public const string ProfileKind = "Profile/";
    public const string IpSetKind = "IPSet/";
    public const string WorkloadKind = "WorkloadEndpoint/";

    // Protocols with an entry of their own for every restricted pod, so that the catch-all entry only
    // ever holds rules without a protocol.
    private static readonly byte[] CommonProtocols = [IPProtocols.Icmp, IPProtocols.Tcp, IPProtocols.Udp, IPProtocols.Sctp, IPProtocols.UdpLite];

    public static AclPlan Plan(ImmutableSortedDictionary<string, ByteString> felix)
    {
        ArgumentNullException.ThrowIfNull(felix);
        var ipSets = new Dictionary<string, IPSetUpdate>(StringComparer.Ordinal);
        var rules = new Dictionary<string, (IEnumerable<Rule> Inbound, IEnumerable<Rule> Outbound)>(StringComparer.Ordinal);
        var endpoints = new List<(string Key, WorkloadEndpoint Endpoint)>();
        foreach (var (key, value) in felix)
        {
            // The API records only messages it parsed; should a record not parse all the same, what
            // names it finds nothing: an unknown policy closes, an unknown set matches nothing.
            if (key.StartsWith(IpSetKind, StringComparison.Ordinal) && TryParse(IPSetUpdate.Parser, value) is { } set)
            {
                ipSets[set.Id] = set;
            }
            else if (key.StartsWith(PolicyKind, StringComparison.Ordinal) && TryParse(ActivePolicyUpdate.Parser, value) is { } policyUpdate)
            {
                var policy = policyUpdate.Policy ?? new Proto.Felix.Policy();
                rules[key] = (policy.InboundRules, policy.OutboundRules);
            }
            else if (key.StartsWith(ProfileKind, StringComparison.Ordinal) && TryParse(ActiveProfileUpdate.Parser, value) is { } profileUpdate)
            {
                var profile = profileUpdate.Profile ?? new Profile();
                rules[key] = (profile.InboundRules, profile.OutboundRules);
            }
            else if (key.StartsWith(WorkloadKind, StringComparison.Ordinal) && TryParse(WorkloadEndpointUpdate.Parser, value) is { Endpoint: { } endpoint })
            {
                endpoints.Add((key[WorkloadKind.Length..], endpoint));
            }
        }

        var translations = new Dictionary<(string, AclDirection), RuleTranslator.Translation>();
        RuleTranslator.Translation Translated(string key, AclDirection direction)
        {
            if (!translations.TryGetValue((key, direction), out var translation))
            {
                var (inbound, outbound) = rules[key];
                translation = RuleTranslator.Translate(direction == AclDirection.Ingress ? inbound : outbound, direction, ipSets);
                translations[(key, direction)] = translation;
            }

            return translation;
        }

        var problems = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var key in rules.Keys)
        {
            var errors = new[] { AclDirection.Ingress, AclDirection.Egress }.Select(d => Translated(key, d).Error).OfType<string>().ToList();
            if (errors.Count > 0)
            {
                problems[key] = string.Join("; ", errors);
            }
        }

        var groups = new Dictionary<string, AclGroup>(StringComparer.Ordinal);
        var closed = new Dictionary<string, string>(StringComparer.Ordinal);
        var pods = new Dictionary<(AclDirection, uint, byte?), PodAcl>();
        // Pods of one namespace mostly share their policies: a direction's rules, and the entries they
        // make, are worked out once per selection (and per address only when a rule names local addresses).
        var restrictions = new Dictionary<string, (IReadOnlyList<AllowRule>? Allowed, string? Reason)>(StringComparer.Ordinal);
        var templates = new Dictionary<string, (List<PodAcl> Entries, Dictionary<string, string> Closed)>(StringComparer.Ordinal);
        foreach (var (name, endpoint) in endpoints)
        {
            var addresses = endpoint.Ipv4Nets
                .Select(n => Ipv4Prefix.TryParse(n, out var p) && p.Length == 32 ? p.Network : (uint?)null)
                .OfType<uint>().Distinct().ToList();
            foreach (var direction in new[] { AclDirection.Ingress, AclDirection.Egress })
            {
                var (tier, keys) = Selection(endpoint, direction);
                var selection = $"{Name(direction)}|{tier is not null}|{string.Join('|', keys)}";
                if (!restrictions.TryGetValue(selection, out var restriction))
                {
                    restrictions[selection] = restriction = Restriction(tier is not null, keys, direction, rules, Translated);
                }

                var (allowed, reason) = restriction;
                if (reason is not null)
                {
                    closed[$"{name} {Name(direction)}"] = reason;
                }

                if (allowed is null && reason is null)
                {
                    continue;
                }

                var local = allowed?.Any(r => r.Local is not null) ?? false;
                foreach (var address in addresses)
                {
                    var templateKey = local ? $"{selection}|{address}" : selection;
                    if (!templates.TryGetValue(templateKey, out var template))
                    {
                        var reasons = new Dictionary<string, string>(StringComparer.Ordinal);
                        templates[templateKey] = template = ([.. Entries(direction, address, allowed ?? [], groups, reasons)], reasons);
                    }

                    foreach (var (what, why) in template.Closed)
                    {
                        closed[$"{name} {what}"] = why;
                    }

                    foreach (var entry in template.Entries)
                    {
                        // Two endpoints claiming one address (a stale one): the first by key keeps it.
                        pods.TryAdd((entry.Direction, address, entry.Protocol), entry with { Address = address });
                    }
                }
            }
        }

        return new AclPlan([.. pods.Values], groups, problems, closed);
    }

    private static T? TryParse<T>(MessageParser<T> parser, ByteString value)
        where T : class, IMessage<T>
    {
        try
        {
            return parser.ParseFrom(value);
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }
    }

    private static string Name(AclDirection direction) => direction == AclDirection.Ingress ? "ingress" : "egress";

    /// <summary>What restricts a direction: the first tier listing policies for it, with their keys; else (tier null) the profiles' keys.</summary>
    private static (TierInfo? Tier, List<string> Keys) Selection(WorkloadEndpoint endpoint, AclDirection direction)
    {
        var tier = endpoint.Tiers.FirstOrDefault(t => (direction == AclDirection.Ingress ? t.IngressPolicies : t.EgressPolicies).Count > 0);
        return tier is null
            ? (null, [.. endpoint.ProfileIds.Select(id => ProfileKind + id)])
            : (tier, [.. (direction == AclDirection.Ingress ? tier.IngressPolicies : tier.EgressPolicies).Select(name => $"{PolicyKind}{tier.Name}/{name}")]);
    }

    /// <summary>The allow rules a direction is held to, null when it is open; or why it is closed.</summary>
    private static (IReadOnlyList<AllowRule>? Allowed, string? Closed) Restriction(
        bool byPolicies,
        List<string> keys,
        AclDirection direction,
        Dictionary<string, (IEnumerable<Rule> Inbound, IEnumerable<Rule> Outbound)> rules,
        Func<string, AclDirection, RuleTranslator.Translation> translated)
    {
        var allowed = new List<AllowRule>();
        foreach (var key in keys)
        {
            if (!rules.ContainsKey(key))
            {
                if (!byPolicies)
                {
                    continue; // a profile Felix has not sent allows nothing
                }

                return (null, $"policy {key[PolicyKind.Length..]} is not known (Felix sends policies before the endpoints using them)");
            }

            var translation = translated(key, direction);
            if (translation.Error is not null)
            {
                var what = !byPolicies ? "profile " + key[ProfileKind.Length..] : "policy " + key[PolicyKind.Length..];
                return (null, $"{what} cannot be expressed: {translation.Error}");
            }

            allowed.AddRange(translation.Rules);
            if (translation.Ends)
            {
                break;
            }
        }

        return allowed.Any(r => r.MatchesAll) ? (null, null) : (allowed, null);
    }

    /// <summary>A restricted direction's entries for one address: a catch-all, and a protocol's own entry where its verdict differs.</summary>
    /// <summary>(<paramref name="closed"/>: a protocol closed for too many ranges, by "direction protocol n".)</summary>
    private static IEnumerable<PodAcl> Entries(AclDirection direction, uint address, IReadOnlyList<AllowRule> allowed, Dictionary<string, AclGroup> groups, Dictionary<string, string> closed)
    {
        var rules = allowed.Where(r => r.AppliesTo(address) && r.Remote.Count > 0).ToList();
        var catchAll = Entry(direction, address, null, rules.Where(r => r.Protocol is null).ToList(), groups, closed);
        yield return catchAll;
        foreach (var protocol in CommonProtocols.Concat(rules.Select(r => r.Protocol).OfType<byte>()).Distinct())
        {
            var entry = Entry(direction, address, protocol, rules.Where(r => r.Protocol is null || r.Protocol == protocol).ToList(), groups, closed);
            if (entry.Verdict != catchAll.Verdict || !ReferenceEquals(entry.Group, catchAll.Group))
            {
                yield return entry;
            }
        }
    }

    private static PodAcl Entry(AclDirection direction, uint address, byte? protocol, List<AllowRule> rules, Dictionary<string, AclGroup> groups, Dictionary<string, string> closed)
    {
        if (rules.Count == 0)
        {
            return new PodAcl(direction, address, protocol, AclVerdict.DenyAll, null);
        }

        if (rules.Any(r => r.Remote.Count == 1 && r.Remote[0].IsAny && r.Ranges.Count == 0))
        {
            return new PodAcl(direction, address, protocol, AclVerdict.AllowAll, null);
        }

        var reference = protocol switch
        {
            IPProtocols.Tcp => (byte)1,
            IPProtocols.Udp => (byte)2,
            IPProtocols.Sctp => (byte)3,
            IPProtocols.UdpLite => (byte)4,
            IPProtocols.Icmp => (byte)5,
            _ => (byte)0,
        };
        AclGroup group;
        if (reference == 0 || rules.All(r => r.Ranges.Count == 0))
        {
            // Addresses only: one slot holds them all.
            group = new AclGroup(direction, 0, [new AclSlot(Ipv4Prefix.Normalize(rules.SelectMany(r => r.Remote)), PortRange.All)]);
        }
        else
        {
            var slots = Slots(rules);
            if (slots.Count > AclGroup.MaxSlots)
            {
                closed[$"{Name(direction)} protocol {protocol}"] =
                    $"{slots.Count} (address set, port range) pairs for protocol {protocol}: k8s_dp checks at most {AclGroup.MaxSlots}, so this protocol is closed";
                return new PodAcl(direction, address, protocol, AclVerdict.DenyAll, null);
            }

            group = new AclGroup(direction, reference, slots);
        }

        if (groups.TryGetValue(group.Content, out var shared))
        {
            group = shared;
        }
        else
        {
            groups[group.Content] = group;
        }

        return new PodAcl(direction, address, protocol, AclVerdict.Group, group);
    }

    /// <summary>One slot per (addresses, range), ranges of the same addresses merged where they touch, addresses of the same range joined.</summary>
    private static List<AclSlot> Slots(List<AllowRule> rules)
    {
        var byRemote = new Dictionary<string, (IReadOnlyList<Ipv4Prefix> Remote, List<PortRange> Ranges)>(StringComparer.Ordinal);
        foreach (var rule in rules)
        {
            var key = string.Join(',', rule.Remote);
            if (!byRemote.TryGetValue(key, out var entry))
            {
                byRemote[key] = entry = (rule.Remote, []);
            }

            entry.Ranges.AddRange(rule.Ranges.Count == 0 ? [PortRange.All] : rule.Ranges);
        }

        var byRange = new Dictionary<PortRange, List<Ipv4Prefix>>();
        foreach (var (remote, ranges) in byRemote.Values)
        {
            foreach (var range in Merge(ranges))
            {
                if (!byRange.TryGetValue(range, out var addresses))
                {
                    byRange[range] = addresses = [];
                }

                addresses.AddRange(remote);
            }
        }

        return [.. byRange.OrderBy(p => p.Key.First).ThenBy(p => p.Key.Last).Select(p => new AclSlot(Ipv4Prefix.Normalize(p.Value), p.Key))];
    }

    private static IEnumerable<PortRange> Merge(List<PortRange> ranges)
    {
        PortRange? current = null;
        foreach (var range in ranges.OrderBy(r => r.First))
        {
            if (current is { } c && range.First <= c.Last + 1)
            {
                current = new PortRange(c.First, Math.Max(c.Last, range.Last));
            }
            else
            {
                if (current is { } done)
                {
                    yield return done;
                }

                current = range;
            }
        }

        if (current is { } last)
        {
            yield return last;
        }
    }
}
