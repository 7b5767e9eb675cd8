using System.Buffers.Binary;
using Google.Protobuf;
using Proto.Felix;

namespace InfraAgent.Tests.Policy;

/// <summary>Felix's side of the socket: messages framed as Felix writes them (8-byte little-endian length, then the ToDataplane), and a few of them.</summary>
internal static class FelixFrames
{
    public static byte[] Encode(ToDataplane message) => Frame(message.ToByteArray());

    /// <summary>Any bytes behind a correct length prefix.</summary>
    public static byte[] Frame(byte[] payload)
    {
        var frame = new byte[8 + payload.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(frame, (ulong)payload.Length);
        payload.CopyTo(frame, 8);
        return frame;
    }

    public static ToDataplane IpSet(ulong sequence, string id, params string[] members)
    {
        var update = new IPSetUpdate { Id = id, Type = IPSetUpdate.Types.IPSetType.Ip };
        update.Members.AddRange(members);
        return new ToDataplane { SequenceNumber = sequence, IpsetUpdate = update };
    }

    /// <summary>An ingress allow from an IP set on TCP ports first..last.</summary>
    public static ToDataplane Policy(ulong sequence, string name, string ipSet = "s:web", int first = 80, int last = 80)
    {
        var rule = new Rule { Action = "allow", Protocol = new Protocol { Name = "tcp" }, RuleId = name + "-0" };
        rule.SrcIpSetIds.Add(ipSet);
        rule.DstPorts.Add(new PortRange { First = first, Last = last });
        var policy = new Proto.Felix.Policy();
        policy.InboundRules.Add(rule);
        return new ToDataplane { SequenceNumber = sequence, ActivePolicyUpdate = new ActivePolicyUpdate { Id = new PolicyID { Tier = "default", Name = name }, Policy = policy } };
    }

    public static ToDataplane Endpoint(ulong sequence, string workload, string ip, params string[] ingressPolicies)
    {
        var tier = new TierInfo { Name = "default" };
        tier.IngressPolicies.AddRange(ingressPolicies);
        var endpoint = new WorkloadEndpoint { State = "active", Name = "cali" + workload.Replace("/", string.Empty, StringComparison.Ordinal) };
        endpoint.Ipv4Nets.Add(ip + "/32");
        endpoint.Tiers.Add(tier);
        return new ToDataplane
        {
            SequenceNumber = sequence,
            WorkloadEndpointUpdate = new WorkloadEndpointUpdate { Id = new WorkloadEndpointID { OrchestratorId = "k8s", WorkloadId = workload, EndpointId = "eth0" }, Endpoint = endpoint },
        };
    }
}
