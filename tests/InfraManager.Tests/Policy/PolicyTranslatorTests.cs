using InfraManager.Policy;
using Proto.Felix;
using Xunit;
using static InfraManager.Tests.Policy.FelixModel;

namespace InfraManager.Tests.Policy;

public sealed class PolicyTranslatorTests
{
    private static readonly uint PodA = Packets.IPv4Address.Parse("10.244.0.5").Value;

    [Fact]
    public void Plan_DenyAllPlusAllowFromANamespace_OneCatchAllEntryWithTheNamespacesPods()
    {
        var plan = PolicyTranslator.Plan(Of(AllowAllProfile("kns.prod"), 
            IpSet("s:frontend", "10.244.0.7/32", "10.244.0.8"),
            AllowAllProfile("kns.prod"),
            ActivePolicy("knp.default.default-deny"),
            ActivePolicy("knp.default.allow-frontend", inbound: [Allow(srcSets: ["s:frontend"])]),
            Endpoint("prod/a", "10.244.0.5", ingress: ["knp.default.default-deny", "knp.default.allow-frontend"])));

        var entry = Assert.Single(plan.Pods);
        Assert.Equal((AclDirection.Ingress, PodA, (byte?)null, AclVerdict.Group), (entry.Direction, entry.Address, entry.Protocol, entry.Verdict));
        Assert.Equal("ingress addresses: 10.244.0.7/32,10.244.0.8/32 0-65535", entry.Group!.Content);
        Assert.Empty(plan.Problems);
        Assert.Empty(plan.Closed);
    }

    [Fact]
    public void Plan_DenyAllOnly_OneDenyEntry_AndEgressStaysOpen()
    {
        var plan = PolicyTranslator.Plan(Of(AllowAllProfile("kns.prod"), ActivePolicy("deny"), Endpoint("prod/a", "10.244.0.5", ingress: ["deny"])));

        var entry = Assert.Single(plan.Pods);
        Assert.Equal((AclDirection.Ingress, (byte?)null, AclVerdict.DenyAll), (entry.Direction, entry.Protocol, entry.Verdict));
    }

    [Fact]
    public void Plan_TcpPortRange_TcpEntryChecksTheRange_OtherProtocolsDenied()
    {
        var plan = PolicyTranslator.Plan(Of(AllowAllProfile("kns.prod"), ActivePolicy("ports", inbound: [Allow("tcp", ports: [(8000, 8100)])]), Endpoint("prod/a", "10.244.0.5", ingress: ["ports"])));

        Assert.Equal(2, plan.Pods.Count);
        var catchAll = plan.Pods.Single(p => p.Protocol is null);
        var tcp = plan.Pods.Single(p => p.Protocol == 6);
        Assert.Equal(AclVerdict.DenyAll, catchAll.Verdict);
        Assert.Equal(1, tcp.Group!.RangeCheckRef);
        Assert.Equal("ingress ports(ref 1): 0.0.0.0/0 8000-8100", tcp.Group.Content);
    }

    [Fact]
    public void Plan_EgressCidr_EgressGroupOfTheCidr()
    {
        var plan = PolicyTranslator.Plan(Of(AllowAllProfile("kns.prod"), ActivePolicy("out", outbound: [Allow(dstNet: ["10.244.1.0/24"])]), Endpoint("prod/a", "10.244.0.5", egress: ["out"])));

        var entry = Assert.Single(plan.Pods);
        Assert.Equal(AclDirection.Egress, entry.Direction);
        Assert.Equal("egress addresses: 10.244.1.0/24 0-65535", entry.Group!.Content);
    }

    [Fact]
    public void Plan_NegatedMatch_IsAProblemNamingTheField_AndClosesTheDirection()
    {
        var rule = Allow();
        rule.NotSrcNet.Add("10.0.0.0/8");
        var plan = PolicyTranslator.Plan(Of(AllowAllProfile("kns.prod"), ActivePolicy("neg", inbound: [rule]), Endpoint("prod/a", "10.244.0.5", ingress: ["neg"])));

        Assert.Contains("inbound_rules[0].not_src_net", plan.Problems["ActivePolicy/default/neg"], StringComparison.Ordinal);
        Assert.Equal(AclVerdict.DenyAll, Assert.Single(plan.Pods).Verdict);
        Assert.Contains("k8s/prod/a/eth0 ingress", plan.Closed.Keys);
    }

    [Fact]
    public void Plan_AllowAllProfileAndNoPolicies_NoEntries_ButNoProfileAtAll_DeniesAsCalicoDoes()
    {
        var open = PolicyTranslator.Plan(Of(AllowAllProfile("kns.prod"), Endpoint("prod/a", "10.244.0.5")));
        var none = PolicyTranslator.Plan(Of(Endpoint("prod/a", "10.244.0.5", profile: "kns.missing")));

        Assert.Empty(open.Pods);
        Assert.Equal(2, none.Pods.Count);
        Assert.All(none.Pods, p => Assert.Equal(AclVerdict.DenyAll, p.Verdict));
    }

    [Fact]
    public void Plan_TwoPodsWithTheSamePolicies_ShareOneGroup()
    {
        var plan = PolicyTranslator.Plan(Of(AllowAllProfile("kns.prod"), 
            ActivePolicy("out", outbound: [Allow(dstNet: ["10.244.1.0/24"])]),
            Endpoint("prod/a", "10.244.0.5", egress: ["out"]),
            Endpoint("prod/b", "10.244.0.6", egress: ["out"])));

        Assert.Equal(2, plan.Pods.Count);
        Assert.Single(plan.Groups);
        Assert.Same(plan.Pods[0].Group, plan.Pods[1].Group);
    }

    [Fact]
    public void Group_NestedPrefixes_TheLongerCarriesBothSlots()
    {
        var plan = PolicyTranslator.Plan(Of(AllowAllProfile("kns.prod"), 
            ActivePolicy("p", inbound: [Allow("tcp", srcNet: ["10.1.0.0/16"], ports: [(80, 80)]), Allow("tcp", srcNet: ["10.1.2.0/24"], ports: [(443, 443)])]),
            Endpoint("prod/a", "10.244.0.5", ingress: ["p"])));

        var group = Assert.Single(plan.Groups.Values);
        Assert.Equal([("10.1.0.0/16", (byte)0b01), ("10.1.2.0/24", (byte)0b11)], group.PrefixMasks().Select(m => (m.Prefix.ToString(), m.Mask)));
        Assert.Equal([new InfraManager.Policy.PortRange(80, 80), new InfraManager.Policy.PortRange(443, 443)], group.Slots.Select(s => s.Range));
    }

    [Fact]
    public void Plan_MissingIpSet_MatchesNothing()
    {
        var plan = PolicyTranslator.Plan(Of(AllowAllProfile("kns.prod"), ActivePolicy("p", inbound: [Allow(srcSets: ["s:gone"])]), Endpoint("prod/a", "10.244.0.5", ingress: ["p"])));

        Assert.Equal(AclVerdict.DenyAll, Assert.Single(plan.Pods).Verdict);
    }

    [Fact]
    public void Plan_NineRangesForTcp_ClosesTcp_AndSaysWhy()
    {
        var ports = Enumerable.Range(0, 9).Select(i => (1000 + (10 * i), 1000 + (10 * i))).ToArray();
        var plan = PolicyTranslator.Plan(Of(AllowAllProfile("kns.prod"), ActivePolicy("p", inbound: [Allow("tcp", ports: ports)]), Endpoint("prod/a", "10.244.0.5", ingress: ["p"])));

        Assert.All(plan.Pods, p => Assert.Equal(AclVerdict.DenyAll, p.Verdict));
        Assert.Contains("at most 8", Assert.Single(plan.Closed).Value, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_UnknownPolicy_ClosesTheDirection()
    {
        var plan = PolicyTranslator.Plan(Of(AllowAllProfile("kns.prod"), Endpoint("prod/a", "10.244.0.5", ingress: ["later"])));

        Assert.Equal(AclVerdict.DenyAll, Assert.Single(plan.Pods).Verdict);
        Assert.Contains("not known", plan.Closed["k8s/prod/a/eth0 ingress"], StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_IcmpTypeRule_IcmpEntryChecksTypeCode()
    {
        var rule = Allow("icmp");
        rule.IcmpType = 8;
        var plan = PolicyTranslator.Plan(Of(AllowAllProfile("kns.prod"), ActivePolicy("p", inbound: [rule]), Endpoint("prod/a", "10.244.0.5", ingress: ["p"])));

        var icmp = plan.Pods.Single(p => p.Protocol == 1);
        Assert.Equal(5, icmp.Group!.RangeCheckRef);
        Assert.Equal(new InfraManager.Policy.PortRange(0x0800, 0x08FF), Assert.Single(icmp.Group.Slots).Range);
    }

    [Fact]
    public void Plan_DenyRuleWithCriteria_IsAProblem_ButACatchAllDenyEndsTheList()
    {
        var denyWeb = new Rule { Action = "deny", Protocol = new Protocol { Name = "tcp" } };
        var bad = PolicyTranslator.Plan(Of(AllowAllProfile("kns.prod"), ActivePolicy("p", inbound: [denyWeb, Allow()])));
        var ends = PolicyTranslator.Plan(Of(AllowAllProfile("kns.prod"), 
            ActivePolicy("p", inbound: [Allow("udp"), new Rule { Action = "deny" }]),
            ActivePolicy("q", inbound: [Allow()]),
            Endpoint("prod/a", "10.244.0.5", ingress: ["p", "q"])));

        Assert.Contains("inbound_rules[0].action", bad.Problems["ActivePolicy/default/p"], StringComparison.Ordinal);
        Assert.Equal(AclVerdict.AllowAll, ends.Pods.Single(p => p.Protocol == 17).Verdict);
        Assert.Equal(AclVerdict.DenyAll, ends.Pods.Single(p => p.Protocol is null).Verdict);
    }
}
