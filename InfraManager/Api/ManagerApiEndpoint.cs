using DaemonHost.Configuration;
using DaemonHost.Tls;

namespace InfraManager.Api;

/// <summary>Where the API listens and how it is secured, as configured.</summary>
internal sealed record ManagerApiEndpoint(HostPort Address, TlsMode Mode)
{
    public override string ToString() => $"{Address} ({Mode.ToString().ToLowerInvariant()})";
}
