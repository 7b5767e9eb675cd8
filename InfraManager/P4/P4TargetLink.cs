using DaemonHost.Configuration;
using DaemonHost.Tls;

namespace InfraManager.P4;

/// <summary>A validated link to one of the target's servers: where it is and how it is secured.</summary>
internal sealed record P4TargetLink(HostPort Address, TlsSettings Tls)
{
    public override string ToString() => $"{Address} ({Tls.Mode.ToString().ToLowerInvariant()})";
}
