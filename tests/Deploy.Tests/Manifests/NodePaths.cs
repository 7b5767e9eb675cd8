namespace Deploy.Tests.Manifests;

/// <summary>Paths on the node and in the containers that several files must agree on.</summary>
internal static class NodePaths
{
    /// <summary>Where Felix runs its dataplane driver (felix-configuration.yaml, calico-node's env) and the agent's init container puts it.</summary>
    public const string FelixDriver = "/var/lib/calico/felix-plugins/felix-api-proxy";

    /// <summary>The ConfigMaps' mount; the daemons' default --config lives there.</summary>
    public const string ConfigDirectory = "/etc/infra";

    public const string AgentCertificates = "/etc/pki/infraagent/client";

    public const string ManagerServerCertificates = "/etc/pki/inframanager/server";

    public const string ManagerClientCertificates = "/etc/pki/inframanager/client";
}
