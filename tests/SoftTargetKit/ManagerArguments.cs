using TestSupport;

namespace SoftTargetKit;

/// <summary>The inframanager flags of a node run for real: its API and the target link over mTLS with the gen-certs certificates.</summary>
public static class ManagerArguments
{
    /// <summary>
    /// API on 127.0.0.1:<paramref name="apiPort"/>, P4Runtime and gNMI to <paramref name="target"/> (its
    /// certificate names localhost), k8s_dp's p4info (or <paramref name="p4Info"/>), the store in
    /// <paramref name="storeDir"/>; callers add node IP, metrics and log flags.
    /// </summary>
    public static string[] Mtls(TestCertificates certificates, SoftTargetProcess target, int apiPort, string storeDir, string? p4Info = null)
    {
        ArgumentNullException.ThrowIfNull(certificates);
        ArgumentNullException.ThrowIfNull(target);
        return
        [
            "--addr", $"127.0.0.1:{apiPort}",
            "--server-cert", certificates.ManagerServer.Certificate, "--server-key", certificates.ManagerServer.Key, "--ca-cert", certificates.CaFile,
            "--client-cert", certificates.ManagerClient.Certificate, "--client-key", certificates.ManagerClient.Key,
            "--p4runtime-addr", $"localhost:{target.P4RuntimePort}", "--p4runtime-conn", "mtls", "--p4runtime-ca-cert", certificates.CaFile,
            "--gnmi-addr", $"localhost:{target.GnmiPort}", "--gnmi-conn", "mtls", "--gnmi-ca-cert", certificates.CaFile,
            "--p4info", p4Info ?? Path.Combine(RepoPaths.Root, "k8s_dp", "p4Info.txt"),
            // No pb.bin: SoftTarget ignores p4_device_config.
            "--p4bin", Path.Combine(storeDir, "..", "k8s_dp.pb.bin"),
            "--store-dir", storeDir,
        ];
    }
}
