namespace InfraManager.Policy;

/// <summary>Which side of a pod a rule guards: traffic to it (ingress, Felix's inbound rules) or from it (egress, outbound).</summary>
internal enum AclDirection
{
    Ingress,
    Egress,
}
