using Microsoft.Extensions.Configuration;

namespace ArpProxy;

/// <summary>The ARP proxy's one setting, under the Go original's environment variable name.</summary>
internal sealed class ArpProxyOptions
{
    public const string InterfaceKey = "ARP_PROXY_IF";

    [ConfigurationKeyName(InterfaceKey)]
    public string Interface { get; set; } = string.Empty;
}
