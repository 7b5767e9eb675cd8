namespace SoftTarget;

internal static partial class SoftTargetLog
{
    [LoggerMessage(EventId = 690, Level = LogLevel.Information, Message = "softtarget serving: P4Runtime {P4Runtime}, gNMI {Gnmi}, device {DeviceId}, {Conn}")]
    public static partial void Serving(ILogger logger, string p4Runtime, string gnmi, ulong deviceId, string conn);
}
