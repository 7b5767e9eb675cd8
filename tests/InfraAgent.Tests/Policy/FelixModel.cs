using Proto.Felix;

namespace InfraAgent.Tests.Policy;

/// <summary>A pod as both the CNI request and Felix's model name it: Kubernetes namespace and name, and its IP.</summary>
/// <param name="Label">The test's short name for it ("A"): what its servers answer with, and what failure messages say.</param>
internal sealed record PolicyPod(string Label, string Namespace, string Name, string Ip)
{
    /// <summary>Felix's workload id of a Kubernetes pod.</summary>
    public string WorkloadId => $"{Namespace}/{Name}";

    public override string ToString() => $"{Label}({Ip})";
}

/// <summary>
/// The payloads Calico's Felix (v3.24, the version deploy/ ships) sends its external dataplane driver for
/// Kubernetes NetworkPolicies, namespaces and pods; <see cref="PolicyNode"/> numbers and frames them.
/// </summary>
internal static class FelixModel
{
    public const string Tier = "default";

    /// <summary>
    /// Felix's name of Kubernetes NetworkPolicy <paramref name="name"/> in <paramref name="podNamespace"/>: libcalico-go
    /// converts it to Calico policy "knp.default.&lt;name&gt;", and its syncer keys namespaced policies
    /// "&lt;namespace&gt;/&lt;name&gt;" (convertNetworkPolicyV2ToV1Key); PolicyID.name and TierInfo's policy lists carry that.
    /// </summary>
    public static string PolicyName(string podNamespace, string name) => $"{podNamespace}/knp.default.{name}";

    /// <summary>The namespace's profile: Kubernetes namespaces allow everything both ways.</summary>
    public static string ProfileName(string podNamespace) => "kns." + podNamespace;

    /// <summary>What Felix sends first on every connection.</summary>
    public static ToDataplane Config()
    {
        var update = new ConfigUpdate();
        update.Config["DataplaneDriver"] = "/usr/local/bin/felix-api-proxy";
        update.Config["UseInternalDataplaneDriver"] = "false";
        update.Config["FelixHostname"] = "node-a";
        return new ToDataplane { ConfigUpdate = update };
    }

    public static ToDataplane HostMetadata(string hostname, string ip) =>
        new() { HostMetadataUpdate = new HostMetadataUpdate { Hostname = hostname, Ipv4Addr = ip } };

    /// <summary>An IP set of a selector (type IP): members as Felix writes them, address/32.</summary>
    public static ToDataplane IpSet(string id, params PolicyPod[] members)
    {
        var update = new IPSetUpdate { Id = id, Type = IPSetUpdate.Types.IPSetType.Ip };
        update.Members.AddRange(members.Select(Member));
        return new ToDataplane { IpsetUpdate = update };
    }

    public static ToDataplane IpSetAdded(string id, PolicyPod member) =>
        new() { IpsetDeltaUpdate = new IPSetDeltaUpdate { Id = id, AddedMembers = { Member(member) } } };

    public static ToDataplane IpSetRemoved(string id, PolicyPod member) =>
        new() { IpsetDeltaUpdate = new IPSetDeltaUpdate { Id = id, RemovedMembers = { Member(member) } } };

    /// <summary>kns.&lt;namespace&gt;: one allow-all rule each way.</summary>
    public static ToDataplane Profile(string podNamespace) => new()
    {
        ActiveProfileUpdate = new ActiveProfileUpdate
        {
            Id = new ProfileID { Name = ProfileName(podNamespace) },
            Profile = new Profile
            {
                InboundRules = { new Rule { Action = "allow", RuleId = RuleId(podNamespace, "in") } },
                OutboundRules = { new Rule { Action = "allow", RuleId = RuleId(podNamespace, "out") } },
            },
        },
    };

    /// <summary>The ActivePolicyUpdate of a Kubernetes NetworkPolicy; no rules in a direction it restricts means deny all.</summary>
    public static ToDataplane Policy(string podNamespace, string name, IEnumerable<Rule>? inbound = null, IEnumerable<Rule>? outbound = null)
    {
        var policy = new Proto.Felix.Policy { Namespace = podNamespace };
        policy.InboundRules.AddRange(inbound ?? []);
        policy.OutboundRules.AddRange(outbound ?? []);
        var index = 0;
        foreach (var rule in policy.InboundRules.Concat(policy.OutboundRules))
        {
            rule.RuleId = RuleId(name, index++.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return new ToDataplane { ActivePolicyUpdate = new ActivePolicyUpdate { Id = new PolicyID { Tier = Tier, Name = PolicyName(podNamespace, name) }, Policy = policy } };
    }

    /// <summary>An ingress "from" a namespace selector: Felix's rule names the selector's IP set.</summary>
    public static Rule AllowFromIpSet(string ipSet, string namespaceSelector) => new()
    {
        Action = "allow",
        SrcIpSetIds = { ipSet },
        OriginalSrcNamespaceSelector = namespaceSelector,
        OriginalSrcSelector = "projectcalico.org/orchestrator == 'k8s'",
    };

    /// <summary>An ingress with ports only (from anywhere): TCP ports <paramref name="first"/>..<paramref name="last"/> (NetworkPolicy port and endPort).</summary>
    public static Rule AllowTcpPorts(int first, int last) => new()
    {
        Action = "allow",
        Protocol = new Protocol { Name = "tcp" },
        DstPorts = { new PortRange { First = first, Last = last } },
    };

    /// <summary>An egress "to" an ipBlock.</summary>
    public static Rule AllowToNet(string cidr) => new() { Action = "allow", DstNet = { cidr } };

    /// <summary>An ingress "from" an ipBlock, with its except list as Felix carries it (not_src_net).</summary>
    public static Rule AllowFromNet(string cidr, params string[] except)
    {
        var rule = new Rule { Action = "allow", SrcNet = { cidr } };
        rule.NotSrcNet.AddRange(except);
        return rule;
    }

    /// <summary>
    /// The pod's WorkloadEndpointUpdate: the interface and MAC the CNI plugin wrote into the WorkloadEndpoint
    /// (the agent's Add reply), its namespace's profile, and a "default" tier only when a policy selects it.
    /// </summary>
    public static ToDataplane Endpoint(PolicyPod pod, string hostInterface, string mac, IEnumerable<string>? ingressPolicies = null, IEnumerable<string>? egressPolicies = null)
    {
        var endpoint = new WorkloadEndpoint
        {
            State = "active",
            Name = hostInterface,
            Mac = mac,
            ProfileIds = { ProfileName(pod.Namespace) },
            Ipv4Nets = { pod.Ip + "/32" },
        };
        var tier = new TierInfo { Name = Tier };
        tier.IngressPolicies.AddRange(ingressPolicies ?? []);
        tier.EgressPolicies.AddRange(egressPolicies ?? []);
        if (tier.IngressPolicies.Count + tier.EgressPolicies.Count > 0)
        {
            endpoint.Tiers.Add(tier);
        }

        return new ToDataplane { WorkloadEndpointUpdate = new WorkloadEndpointUpdate { Id = EndpointId(pod), Endpoint = endpoint } };
    }

    /// <summary>Felix's RemoveLocalEndpoint: the pod is gone (or no longer on this node).</summary>
    public static ToDataplane EndpointRemove(PolicyPod pod) => new() { WorkloadEndpointRemove = new WorkloadEndpointRemove { Id = EndpointId(pod) } };

    public static ToDataplane InSync() => new() { InSync = new InSync() };

    private static WorkloadEndpointID EndpointId(PolicyPod pod) => new() { OrchestratorId = "k8s", WorkloadId = pod.WorkloadId, EndpointId = "eth0" };

    private static string Member(PolicyPod pod) => pod.Ip + "/32";

    private static string RuleId(string owner, string suffix) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(owner + "/" + suffix)))[..16];
}
