using Proto.Felix;
using Xunit;

namespace InfraAgent.Tests.Policy;

/// <summary>
/// Network policy end to end (issue 9): Felix's messages for Kubernetes NetworkPolicies, framed as Felix writes them,
/// through the real felix-api-proxy and agent into the manager, which programs k8s_dp's ACL stages in SoftTarget;
/// real traffic between pods' network namespaces is allowed and dropped accordingly, before and after policy
/// updates, endpoint moves and restarts. Every check after a change uses new flows (the ACL stage is stateful), and
/// everything a test later expects dropped is first shown to flow without policy, so a drop means policy.
/// </summary>
[Collection(HostNetworkTests.Name)]
public sealed class PolicyTrafficTests
{
    private const int Web = 8080;
    private const string FrontendSet = "s:frontend";

    private static readonly PolicyPod A = new("A", "prod", "a", "10.244.0.10");
    private static readonly PolicyPod B = new("B", "frontend", "b", "10.244.0.11");
    private static readonly PolicyPod C = new("C", "other", "c", "10.244.0.12");

    private static readonly string DefaultDeny = FelixModel.PolicyName("prod", "default-deny");
    private static readonly string AllowFrontend = FelixModel.PolicyName("prod", "allow-frontend");

    /// <summary>
    /// prod has a default deny for ingress and allows ingress from namespace frontend (an IP set holding B): B reaches
    /// A, C does not, A's own connections to C and their replies pass. The IP set's deltas let C in and out again; once
    /// Felix removes A's endpoint nothing restricts A.
    /// </summary>
    [Fact]
    public async Task DenyAllAndAllowFromOneNamespace_OnlyThatNamespaceGetsIn_IpSetDeltasAndEndpointRemovalApply()
    {
        await using var node = await PolicyNode.StartAsync();
        Flow[] fromB = [Flow.Ping(B, A), Flow.Tcp(B, A, Web)];
        Flow[] fromC = [Flow.Ping(C, A), Flow.Tcp(C, A, Web)];
        Flow[] toC = [Flow.Ping(A, C), Flow.Tcp(A, C, Web)];
        await StartPodsAsync(node, [A, B, C], [A, C], [.. fromB, .. fromC, .. toC]);

        await node.ConnectFelixAsync(DenyAllAllowFrontendState(node));

        await ExpectDroppedAsync(node, fromC);
        await ExpectAllowedAsync(node, fromB);
        // A's egress is not restricted; C's replies belong to A's connections, so A's ingress policy lets them in.
        await ExpectAllowedAsync(node, toC);

        await node.SendAsync(FelixModel.IpSetAdded(FrontendSet, C));
        await ExpectAllowedAsync(node, fromC);

        await node.SendAsync(FelixModel.IpSetRemoved(FrontendSet, C));
        await ExpectDroppedAsync(node, fromC);
        await ExpectAllowedAsync(node, fromB);

        await node.SendAsync(FelixModel.EndpointRemove(A));
        await ExpectAllowedAsync(node, [.. fromC, .. fromB, .. toC]);
    }

    /// <summary>
    /// A's ingress allows TCP 8000-8100 from anywhere: the range's ends connect, the ports beside them and UDP and ping
    /// to A are dropped. The policy's update to 8000-8300 lets 8101..8300 in, not 8301.
    /// </summary>
    [Fact]
    public async Task TcpPortRangePolicy_OnlyPortsInTheRangeConnect_AndAnUpdateWidensIt()
    {
        await using var node = await PolicyNode.StartAsync();
        int[] ports = [7999, 8000, 8050, 8100, 8101, 8200, 8300, 8301];
        var tcp = ports.ToDictionary(port => port, port => Flow.Tcp(B, A, port));
        var udp = Flow.Udp(B, A, 8050);
        var ping = Flow.Ping(B, A);
        await StartPodsAsync(node, [A, B], [], [.. tcp.Values, udp, ping], () =>
        {
            foreach (var port in ports)
            {
                node.Serve(A, port);
            }

            node.Serve(A, 8050, FlowKind.Udp);
        });

        var webPorts = FelixModel.PolicyName("prod", "web-ports");
        await node.ConnectFelixAsync(
        [
            FelixModel.Profile("prod"),
            FelixModel.Profile("frontend"),
            FelixModel.Policy("prod", "web-ports", inbound: [FelixModel.AllowTcpPorts(8000, 8100)]),
            node.Endpoint(A, ingressPolicies: [webPorts]),
            node.Endpoint(B),
        ]);

        await ExpectDroppedAsync(node, tcp[8200], tcp[8101], tcp[7999], udp, ping);
        await ExpectAllowedAsync(node, tcp[8000], tcp[8050], tcp[8100]);

        await node.SendAsync(FelixModel.Policy("prod", "web-ports", inbound: [FelixModel.AllowTcpPorts(8000, 8300)]));

        await ExpectAllowedAsync(node, tcp[8200], tcp[8101], tcp[8300], tcp[8000], tcp[8050]);
        await ExpectDroppedAsync(node, tcp[8301], tcp[7999], udp, ping);
    }

    /// <summary>
    /// A's egress allows only B's address (an ipBlock): A reaches B, not C; C's connections to A still pass (A's
    /// replies). The pod moves: A is deleted, A2 (new IP) added, and Felix moves the endpoint with the same policy:
    /// A2 is restricted, and a new pod D given A's old address is not.
    /// </summary>
    [Fact]
    public async Task EgressCidrPolicy_OnlyTheCidrIsReachable_AndTheRestrictionFollowsAnEndpointMove()
    {
        await using var node = await PolicyNode.StartAsync();
        var a2 = new PolicyPod("A2", "prod", "a2", "10.244.0.13");
        var d = new PolicyPod("D", "other", "d", A.Ip);
        Flow[] toB = [Flow.Ping(A, B), Flow.Tcp(A, B, Web)];
        Flow[] toC = [Flow.Ping(A, C), Flow.Tcp(A, C, Web)];
        Flow[] fromC = [Flow.Ping(C, A), Flow.Tcp(C, A, Web)];
        await StartPodsAsync(node, [A, B, C], [A, B, C], [.. toB, .. toC, .. fromC]);

        var egressToB = FelixModel.PolicyName("prod", "egress-to-b");
        var policy = FelixModel.Policy("prod", "egress-to-b", outbound: [FelixModel.AllowToNet(B.Ip + "/32")]);
        await node.ConnectFelixAsync(
        [
            FelixModel.Profile("prod"),
            FelixModel.Profile("frontend"),
            FelixModel.Profile("other"),
            policy,
            node.Endpoint(A, egressPolicies: [egressToB]),
            node.Endpoint(B),
            node.Endpoint(C),
        ]);

        await ExpectDroppedAsync(node, toC);
        await ExpectAllowedAsync(node, toB);
        await ExpectAllowedAsync(node, fromC);

        // The pod is replaced: CNI Del of A, CNI Add of A2, then Felix's view of it.
        await node.DeletePodAsync(A);
        await node.AddPodAsync(a2);
        await node.SendAsync(FelixModel.EndpointRemove(A), node.Endpoint(a2, egressPolicies: [egressToB]));

        await ExpectDroppedAsync(node, Flow.Ping(a2, C), Flow.Tcp(a2, C, Web));
        await ExpectAllowedAsync(node, Flow.Ping(a2, B), Flow.Tcp(a2, B, Web));

        // A's old address now belongs to a pod no policy selects.
        await node.AddPodAsync(d);
        await node.SendAsync(node.Endpoint(d));
        await ExpectAllowedAsync(node, Flow.Ping(d, C), Flow.Tcp(d, C, Web), Flow.Ping(d, B), Flow.Tcp(d, B, Web));
        await ExpectDroppedAsync(node, Flow.Tcp(a2, C, Web));
    }

    /// <summary>
    /// The deny-all plus allow-from-frontend policy stays in force through restarts: the manager killed (SoftTarget
    /// keeps enforcing meanwhile) and started again; SoftTarget killed and restarted, empty, until the manager repairs
    /// it; the agent killed and restarted, after which Felix's driver reconnects and sends everything again.
    /// </summary>
    [Fact]
    public async Task DenyPolicy_StaysInForceThroughManagerTargetAndAgentRestarts()
    {
        await using var node = await PolicyNode.StartAsync();
        Flow[] fromC = [Flow.Ping(C, A), Flow.Tcp(C, A, Web)];
        await StartPodsAsync(node, [A, B, C], [A, C], [Flow.Ping(B, A), Flow.Tcp(B, A, Web), Flow.Ping(A, C), .. fromC]);
        await node.ConnectFelixAsync(DenyAllAllowFrontendState(node));
        await ExpectEnforcedAsync(node, PolicyNode.Window);

        await node.RestartManagerAsync(whileDown: () => ExpectDroppedAsync(node, fromC));
        await ExpectEnforcedAsync(node, PolicyNode.RepairWindow);

        await node.RestartTargetAsync();
        await ExpectEnforcedAsync(node, PolicyNode.RepairWindow);

        await node.RestartAgentAsync();
        await ExpectEnforcedAsync(node, PolicyNode.RepairWindow);
        await node.ConnectFelixAsync(DenyAllAllowFrontendState(node));
        await ExpectEnforcedAsync(node, PolicyNode.Window);
    }

    /// <summary>
    /// An ipBlock with an except list (not_src_net) is more than k8s_dp's ACL stages express: A's ingress, which uses
    /// the policy, fails closed (even B, inside the block, is dropped; A's egress is untouched), and the agent logs the
    /// manager's refusal naming the policy and the field. A policy update k8s_dp can express opens A to B again.
    /// </summary>
    [Fact]
    public async Task UnsupportedRule_FailsClosedForThatDirection_AndTheRefusalNamesTheField()
    {
        await using var node = await PolicyNode.StartAsync();
        Flow[] fromB = [Flow.Ping(B, A), Flow.Tcp(B, A, Web)];
        await StartPodsAsync(node, [A, B, C], [A, B], [.. fromB, Flow.Ping(C, A), Flow.Ping(A, B), Flow.Tcp(A, B, Web)]);

        var exceptC = FelixModel.PolicyName("prod", "except-c");
        await node.ConnectFelixAsync(
        [
            FelixModel.Profile("prod"),
            FelixModel.Profile("frontend"),
            FelixModel.Profile("other"),
            FelixModel.Policy("prod", "except-c", inbound: [FelixModel.AllowFromNet("10.244.0.0/16", C.Ip + "/32")]),
            node.Endpoint(A, ingressPolicies: [exceptC]),
            node.Endpoint(B),
            node.Endpoint(C),
        ], refusalsExpected: true);

        await ExpectDroppedAsync(node, [.. fromB, Flow.Ping(C, A)]);
        await ExpectAllowedAsync(node, Flow.Ping(A, B), Flow.Tcp(A, B, Web));
        var refusals = node.Node.AgentOutput.Split('\n').Where(line => line.Contains("the manager refused", StringComparison.Ordinal)).ToList();
        Assert.True(
            refusals.Any(line => line.Contains("inbound_rules[0].not_src_net", StringComparison.Ordinal) && line.Contains("knp.default.except-c", StringComparison.Ordinal)),
            $"no refusal naming knp.default.except-c and inbound_rules[0].not_src_net; refusals:\n{string.Join('\n', refusals)}\n{node.LogTails}");

        await node.SendAsync(FelixModel.Policy("prod", "except-c", inbound: [FelixModel.AllowFromNet(B.Ip + "/32")]));
        await ExpectAllowedAsync(node, fromB);
        await ExpectDroppedAsync(node, Flow.Ping(C, A));
    }

    /// <summary>Felix's whole state for test 1 and 4: frontend's IP set, the three profiles, prod's two policies (by name, as Felix orders them), the endpoints.</summary>
    private static ToDataplane[] DenyAllAllowFrontendState(PolicyNode node) =>
    [
        FelixModel.IpSet(FrontendSet, B),
        FelixModel.Profile("prod"),
        FelixModel.Profile("frontend"),
        FelixModel.Profile("other"),
        FelixModel.Policy("prod", "allow-frontend", inbound: [FelixModel.AllowFromIpSet(FrontendSet, "projectcalico.org/name == 'frontend'")]),
        // policyTypes: [Ingress] and no rules.
        FelixModel.Policy("prod", "default-deny"),
        node.Endpoint(A, ingressPolicies: [AllowFrontend, DefaultDeny]),
        node.Endpoint(B),
        node.Endpoint(C),
    ];

    /// <summary>The checks of the restart test: paths through the target first (after a restart the routes come back), then the drop.</summary>
    private static async Task ExpectEnforcedAsync(PolicyNode node, TimeSpan window)
    {
        // Both pods' routes are back (C's ping to A would go unanswered without them, which is no proof of policy).
        await node.ExpectAllowedAsync(Flow.Ping(B, A), window);
        await node.ExpectAllowedAsync(Flow.Ping(A, C), window);
        await node.ExpectDroppedAsync(Flow.Ping(C, A), window);
        await node.ExpectDroppedAsync(Flow.Tcp(C, A, Web), window);
        await node.ExpectAllowedAsync(Flow.Tcp(B, A, Web), window);
    }

    /// <summary>Adds the pods, starts TCP servers on <see cref="Web"/> in <paramref name="servers"/> (and whatever <paramref name="serve"/> starts), and shows <paramref name="flows"/> pass before any policy.</summary>
    private static async Task StartPodsAsync(PolicyNode node, PolicyPod[] pods, PolicyPod[] servers, Flow[] flows, Action? serve = null)
    {
        foreach (var pod in pods)
        {
            await node.AddPodAsync(pod);
        }

        foreach (var pod in servers)
        {
            node.Serve(pod, Web);
        }

        serve?.Invoke();
        await ExpectAllowedAsync(node, flows);
    }

    private static async Task ExpectAllowedAsync(PolicyNode node, params Flow[] flows)
    {
        foreach (var flow in flows)
        {
            await node.ExpectAllowedAsync(flow);
        }
    }

    private static async Task ExpectDroppedAsync(PolicyNode node, params Flow[] flows)
    {
        foreach (var flow in flows)
        {
            await node.ExpectDroppedAsync(flow);
        }
    }
}
