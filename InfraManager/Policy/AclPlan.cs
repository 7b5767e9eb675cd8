namespace InfraManager.Policy;

/// <summary>
/// What Felix's model comes to in k8s_dp: the pod entries, the rule groups they use (by content),
/// the policies and profiles that cannot be expressed (by their Felix key, with the field and the
/// reason), and, for the log, each pod direction closed because of one.
/// </summary>
internal sealed record AclPlan(
    IReadOnlyList<PodAcl> Pods,
    IReadOnlyDictionary<string, AclGroup> Groups,
    IReadOnlyDictionary<string, string> Problems,
    IReadOnlyDictionary<string, string> Closed)
{
    public static AclPlan Empty { get; } = new([], new Dictionary<string, AclGroup>(), new Dictionary<string, string>(), new Dictionary<string, string>());
}
