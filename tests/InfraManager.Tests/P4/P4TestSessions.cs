using InfraManager.P4;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SoftTargetKit;
using TestSupport;

namespace InfraManager.Tests.P4;

/// <summary>Sessions of the manager against a test SoftTarget, with waits short enough for tests.</summary>
internal static class P4TestSessions
{
    public static string P4InfoFile { get; } = Path.Combine(RepoPaths.Root, "k8s_dp", "p4Info.txt");

    public static P4SessionTimeouts Quick { get; } = new()
    {
        Start = TimeSpan.FromSeconds(20),
        Primary = TimeSpan.FromSeconds(2),
        Ready = TimeSpan.FromSeconds(2),
        MaxBackoff = TimeSpan.FromMilliseconds(500),
    };

    /// <summary>Plain gRPC to the target, our p4Info.txt, and no k8s_dp.pb.bin (SoftTarget ignores it).</summary>
    public static P4RuntimeOptions Options(SoftTargetProcess target) => new()
    {
        Infrap4dGrpcServer = new TargetLinkOptions { Addr = $"127.0.0.1:{target.P4RuntimePort}", Conn = "insecure" },
        Infrap4dGnmiServer = new TargetLinkOptions { Addr = $"127.0.0.1:{target.GnmiPort}", Conn = "insecure" },
        DeviceId = target.DeviceId,
        P4InfoPath = P4InfoFile,
        P4BinPath = Path.Combine(Path.GetTempPath(), "k8sio-no-such-dir", "k8s_dp.pb.bin"),
    };

    public static async Task<P4RuntimeSession> StartAsync(
        P4RuntimeOptions options,
        P4SessionTimeouts? timeouts = null,
        TimeProvider? time = null,
        ILogger<P4RuntimeSession>? logger = null)
    {
        var session = new P4RuntimeSession(options, timeouts ?? Quick, time ?? TimeProvider.System, logger ?? NullLogger<P4RuntimeSession>.Instance);
        try
        {
            await session.StartAsync(TaskTimeoutExtensions.DefaultTimeoutToken());
        }
        catch
        {
            await session.DisposeAsync();
            throw;
        }

        return session;
    }
}
