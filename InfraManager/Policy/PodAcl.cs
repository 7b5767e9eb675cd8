namespace InfraManager.Policy;

/// <summary>One acl_pod_ip_proto_table_{ingress,egress} entry: the pod's address, the protocol (null: every protocol without an entry of its own) and its verdict.</summary>
internal sealed record PodAcl(AclDirection Direction, uint Address, byte? Protocol, AclVerdict Verdict, AclGroup? Group);
