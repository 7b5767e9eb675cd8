using DaemonHost.Configuration;
using Google.Protobuf;
using P4Pipeline;
using Proto.P4.Config.V1;

namespace InfraManager.P4;

internal sealed partial class P4RuntimeSession
{
    /// <summary>Our program as loaded from P4InfoPath and p4BinPath, read once at start.</summary>
    private sealed record P4Program(P4Info P4Info, P4InfoIndex Index, ByteString DeviceConfig)
    {
        public static async Task<P4Program> LoadAsync(string p4InfoPath, string p4BinPath, ILogger logger, CancellationToken cancellationToken)
        {
            P4Info info;
            P4InfoIndex index;
            try
            {
                info = ProtobufText.Parse<P4Info>(await File.ReadAllTextAsync(p4InfoPath, cancellationToken));
                index = P4InfoIndex.Build(info);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ProtobufTextException or P4InfoException)
            {
                throw new DaemonConfigurationException($"P4InfoPath: {p4InfoPath}: {e.Message}", e);
            }

            var deviceConfig = ByteString.Empty;
            if (File.Exists(p4BinPath))
            {
                deviceConfig = ByteString.CopyFrom(await File.ReadAllBytesAsync(p4BinPath, cancellationToken));
            }
            else
            {
                P4Log.DeviceConfigMissing(logger, p4BinPath);
            }

            return new P4Program(info, index, deviceConfig);
        }
    }
}
