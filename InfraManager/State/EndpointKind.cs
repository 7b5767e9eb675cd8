namespace InfraManager.State;

/// <summary>Why an IP is routed to a port: a pod (CreateNetwork), the host interface, or the node's own IP behind it.</summary>
internal enum EndpointKind
{
    Pod,
    HostInterface,
    NodeIp,
}
