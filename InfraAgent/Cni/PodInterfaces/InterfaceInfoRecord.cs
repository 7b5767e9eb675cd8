using System.Text.Json.Serialization;

namespace InfraAgent.Cni.PodInterfaces;

/// <summary>
/// One cache file, with the Go agent's InterfaceInfo field names (reference-behaviour.md 6.3) so either
/// agent reads the other's files; <c>netns</c>, <c>podifname</c>, <c>ipv4addr</c> and <c>vethname</c> are
/// ours (Go ignores unknown fields) and let a pod whose namespace is gone be released.
/// </summary>
internal sealed record InterfaceInfoRecord
{
    [JsonPropertyName("pciaddr")]
    public string PciAddress { get; init; } = string.Empty;

    [JsonPropertyName("interfacename")]
    public string InterfaceName { get; init; } = string.Empty;

    [JsonPropertyName("vfid")]
    public int VfId { get; init; }

    [JsonPropertyName("macaddr")]
    public string MacAddress { get; init; } = string.Empty;

    [JsonPropertyName("netns")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Netns { get; init; }

    [JsonPropertyName("podifname")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? PodInterfaceName { get; init; }

    [JsonPropertyName("ipv4addr")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Ipv4Address { get; init; }

    /// <summary>The host end of the pod's veth when the pod was attached with tapAttach: veth (its TAP stayed on the host); null when the TAP itself is in the pod.</summary>
    [JsonPropertyName("vethname")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? VethName { get; init; }
}
