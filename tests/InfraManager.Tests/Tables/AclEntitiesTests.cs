using InfraManager.Policy;
using Proto.P4.V1;
using Xunit;
using static InfraManager.Tests.Policy.FelixModel;

namespace InfraManager.Tests.Tables;

/// <summary>The ACL entries as written: reference-behaviour.md 2.4's tables with its defects (11.3, 19) fixed.</summary>
public sealed class AclEntitiesTests
{
    private static InfraManager.Tables.K8sDpTables Tables => TableSamples.Tables;

    [Fact]
    public void RangeCheck_AllSixteenBounds_UnusedSlotsEmpty_RefIsTheProtocolsTable()
    {
        var plan = PolicyTranslator.Plan(Of(
            AllowAllProfile("kns.prod"),
            ActivePolicy("ports", inbound: [Allow("tcp", srcNet: ["10.1.0.0/16"], ports: [(8000, 8100)]), Allow("tcp", ports: [(443, 443)])]),
            Endpoint("prod/a", "10.244.0.5", ingress: ["ports"])));
        var group = Assert.Single(plan.Groups.Values);

        var entries = Tables.AclGroupEntries(group, 7).Select(Tables.Describe).ToList();
        var pods = plan.Pods.OrderBy(p => p.Protocol ?? 0).Select(p => Tables.Describe(Tables.PodAcl(p, 7))).ToList();

        Assert.Equal(
            [
                "k8s_dp_control.acl_ipset_match_table_ingress{meta.acl_pol_id=7} → k8s_dp_control.set_ipset_match_result(ipset_matched_mask=1)",
                "k8s_dp_control.acl_ipset_match_table_ingress{meta.acl_pol_id=7, hdr.ipv4.src_addr=10.1.0.0/16} → k8s_dp_control.set_ipset_match_result(ipset_matched_mask=3)",
                "k8s_dp_control.tcp_dport_rc_table{meta.acl_pol_id=7} → k8s_dp_control.do_range_check_tcp(min0=443, max0=443, min1=8000, max1=8100, min2=1, max2=0, min3=1, max3=0, min4=1, max4=0, min5=1, max5=0, min6=1, max6=0, min7=1, max7=0)",
            ],
            entries);
        Assert.Equal(
            [
                "k8s_dp_control.acl_pod_ip_proto_table_ingress{hdr.ipv4.dst_addr=10.244.0.5} → k8s_dp_control.set_status_deny_all()",
                "k8s_dp_control.acl_pod_ip_proto_table_ingress{hdr.ipv4.dst_addr=10.244.0.5, hdr.ipv4.protocol=6/8} → k8s_dp_control.set_range_check_ref(pol_id=7, range_check_ref=1)",
            ],
            pods);
    }

    [Fact]
    public void EightBitValues_AreOneByte()
    {
        var plan = PolicyTranslator.Plan(Of(
            AllowAllProfile("kns.prod"),
            ActivePolicy("ports", inbound: [Allow("udp", ports: [(53, 53)])]),
            Endpoint("prod/a", "10.244.0.5", ingress: ["ports"])));
        var udp = plan.Pods.Single(p => p.Protocol == 17);

        var action = Tables.PodAcl(udp, 200).TableEntry.Action.Action;

        Assert.All(action.Params, p => Assert.Equal(1, p.Value.Length));
        Assert.Equal([200, 2], action.Params.Select(p => (int)p.Value[0]));
    }

    [Fact]
    public void AddressOnlyGroup_MatchIpSetOnly_AndTheAnyPrefixOmitsTheField()
    {
        var plan = PolicyTranslator.Plan(Of(
            AllowAllProfile("kns.prod"),
            ActivePolicy("out", outbound: [Allow("tcp"), Allow(dstNet: ["10.2.0.0/16"])]),
            Endpoint("prod/a", "10.244.0.5", egress: ["out"])));

        var described = plan.Pods.OrderBy(p => p.Protocol ?? 0).Select(p => Tables.Describe(Tables.PodAcl(p, 9))).ToList();
        var any = Tables.AclGroupEntries(Assert.Single(plan.Groups.Values), 9).Single();

        Assert.Equal(
            [
                "k8s_dp_control.acl_pod_ip_proto_table_egress{hdr.ipv4.src_addr=10.244.0.5} → k8s_dp_control.set_status_match_ipset_only(pol_id=9)",
                "k8s_dp_control.acl_pod_ip_proto_table_egress{hdr.ipv4.src_addr=10.244.0.5, hdr.ipv4.protocol=6/8} → NoAction()",
            ],
            described);
        Assert.Equal("k8s_dp_control.acl_ipset_match_table_egress{meta.acl_pol_id=9, hdr.ipv4.dst_addr=10.2.0.0/16} → k8s_dp_control.set_ipset_match_result(ipset_matched_mask=1)", Tables.Describe(any));
        Assert.Single(any.TableEntry.Match, m => m.FieldMatchTypeCase == FieldMatch.FieldMatchTypeOneofCase.Lpm);
    }
}
