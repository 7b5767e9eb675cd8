using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Deploy.Tests.Manifests;

/// <summary>
/// Calico's crd.projectcalico.org/v1 FelixConfiguration, with the fields deploy/felix-configuration.yaml
/// sets: parsed strictly like the built-in kinds, so a misspelt field is an error, not a silent default.
/// </summary>
public sealed class FelixConfiguration : IKubernetesObject<V1ObjectMeta>
{
    public const string KubeApiVersion = "crd.projectcalico.org/v1";
    public const string KubeKind = "FelixConfiguration";

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = KubeApiVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = KubeKind;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public FelixConfigurationSpec Spec { get; set; } = new();
}

public sealed class FelixConfigurationSpec
{
    [JsonPropertyName("bpfLogLevel")]
    public string? BpfLogLevel { get; set; }

    [JsonPropertyName("logSeverityScreen")]
    public string? LogSeverityScreen { get; set; }

    [JsonPropertyName("reportingInterval")]
    public string? ReportingInterval { get; set; }

    [JsonPropertyName("vxlanEnabled")]
    public bool? VxlanEnabled { get; set; }

    [JsonPropertyName("useInternalDataplaneDriver")]
    public bool? UseInternalDataplaneDriver { get; set; }

    [JsonPropertyName("dataplaneDriver")]
    public string? DataplaneDriver { get; set; }
}
