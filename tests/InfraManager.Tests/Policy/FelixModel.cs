using System.Collections.Immutable;
using Google.Protobuf;
using InfraManager.Policy;
using Proto.Felix;

namespace InfraManager.Tests.Policy;

/// <summary>Felix's messages for Kubernetes objects, as Calico sends them, recorded under the keys the API uses.</summary>
internal static class FelixModel
{
    public static ImmutableSortedDictionary<string, ByteString> Of(params (string Key, IMessage Message)[] entries) =>
        entries.ToImmutableSortedDictionary(e => e.Key, e => e.Message.ToByteString(), StringComparer.Ordinal);

    public static ImmutableSortedDictionary<string, ByteString> With(this ImmutableSortedDictionary<string, ByteString> felix, (string Key, IMessage Message) entry) =>
        felix.SetItem(entry.Key, entry.Message.ToByteString());

    public static (string, IMessage) IpSet(string id, params string[] members)
    {
        var set = new IPSetUpdate { Id = id, Type = IPSetUpdate.Types.IPSetType.Ip };
        set.Members.AddRange(members);
        return (PolicyTranslator.IpSetKind + id, set);
    }

    public static (string, IMessage) AllowAllProfile(string name) =>
        (PolicyTranslator.ProfileKind + name, new ActiveProfileUpdate
        {
            Id = new ProfileID { Name = name },
            Profile = new Profile { InboundRules = { new Rule { Action = "allow" } }, OutboundRules = { new Rule { Action = "allow" } } },
        });

    public static (string, IMessage) ActivePolicy(string name, IEnumerable<Rule>? inbound = null, IEnumerable<Rule>? outbound = null)
    {
        var policy = new Proto.Felix.Policy { Namespace = "prod" };
        policy.InboundRules.AddRange(inbound ?? []);
        policy.OutboundRules.AddRange(outbound ?? []);
        return ($"{PolicyTranslator.PolicyKind}default/{name}", new ActivePolicyUpdate { Id = new PolicyID { Tier = "default", Name = name }, Policy = policy });
    }

    public static (string, IMessage) Endpoint(string workload, string ip, string[]? ingress = null, string[]? egress = null, string profile = "kns.prod")
    {
        var endpoint = new WorkloadEndpoint { State = "active", Name = "P4TAP_1", ProfileIds = { profile }, Ipv4Nets = { ip + "/32" } };
        if (ingress is not null || egress is not null)
        {
            endpoint.Tiers.Add(new TierInfo { Name = "default", IngressPolicies = { ingress ?? [] }, EgressPolicies = { egress ?? [] } });
        }

        var id = new WorkloadEndpointID { OrchestratorId = "k8s", WorkloadId = workload, EndpointId = "eth0" };
        return ($"{PolicyTranslator.WorkloadKind}k8s/{workload}/eth0", new WorkloadEndpointUpdate { Id = id, Endpoint = endpoint });
    }

    public static Rule Allow(string? protocol = null, string[]? srcNet = null, string[]? dstNet = null, string[]? srcSets = null, params (int First, int Last)[] ports)
    {
        var rule = new Rule { Action = "allow" };
        if (protocol is not null)
        {
            rule.Protocol = new Protocol { Name = protocol };
        }

        rule.SrcNet.AddRange(srcNet ?? []);
        rule.DstNet.AddRange(dstNet ?? []);
        rule.SrcIpSetIds.AddRange(srcSets ?? []);
        rule.DstPorts.AddRange(ports.Select(p => new Proto.Felix.PortRange { First = p.First, Last = p.Last }));
        return rule;
    }
}
