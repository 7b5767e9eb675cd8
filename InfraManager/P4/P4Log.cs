using DaemonHost.Configuration;
using Grpc.Core;
using Proto.P4.V1;

namespace InfraManager.P4;

/// <summary>The P4Runtime session and the gNMI port lookup (EventIds 600-699).</summary>
internal static partial class P4Log
{
    [LoggerMessage(EventId = 600, Level = LogLevel.Information, Message = "P4Runtime target {Link}: device {DeviceId}, election id {ElectionId}")]
    public static partial void Starting(ILogger logger, P4TargetLink link, ulong deviceId, UInt128 electionId);

    [LoggerMessage(EventId = 601, Level = LogLevel.Information, Message = "P4Runtime server version is {Version} ({Address})")]
    public static partial void ServerVersion(ILogger logger, string version, HostPort address);

    [LoggerMessage(EventId = 602, Level = LogLevel.Information, Message = "primary for device {DeviceId} with election id {ElectionId}")]
    public static partial void Primary(ILogger logger, ulong deviceId, UInt128 electionId);

    [LoggerMessage(EventId = 603, Level = LogLevel.Information, Message = "not primary yet: the target says {Code} '{Reason}'; the primary holds election id {PrimaryElectionId}")]
    public static partial void Backup(ILogger logger, StatusCode code, string reason, string primaryElectionId);

    [LoggerMessage(EventId = 604, Level = LogLevel.Warning, Message = "another controller became primary (election id {PrimaryElectionId}); this session stops writing and reconnects")]
    public static partial void Demoted(ILogger logger, string primaryElectionId);

    [LoggerMessage(EventId = 605, Level = LogLevel.Information, Message = "the target has no pipeline: {Code} {Reason}")]
    public static partial void NoPipeline(ILogger logger, StatusCode code, string reason);

    [LoggerMessage(EventId = 606, Level = LogLevel.Information, Message = "pipeline loaded from {P4InfoPath} with {DeviceConfigBytes} bytes of device config (VERIFY_AND_COMMIT): the target holds no forwarding state")]
    public static partial void PipelineLoaded(ILogger logger, string p4InfoPath, int deviceConfigBytes);

    [LoggerMessage(EventId = 607, Level = LogLevel.Information, Message = "adopted the target's pipeline: {Tables} tables, cookie {Cookie}")]
    public static partial void PipelineAdopted(ILogger logger, int tables, ulong cookie);

    [LoggerMessage(EventId = 608, Level = LogLevel.Warning, Message = "the target's P4Info differs from {P4InfoPath}; names resolve against the target's")]
    public static partial void PipelineDiffers(ILogger logger, string p4InfoPath);

    [LoggerMessage(EventId = 609, Level = LogLevel.Warning, Message = "{P4BinPath} does not exist: pipeline loads send an empty p4_device_config (SoftTarget ignores it; infrap4d needs it)")]
    public static partial void DeviceConfigMissing(ILogger logger, string p4BinPath);

    [LoggerMessage(EventId = 610, Level = LogLevel.Warning, Message = "P4Runtime target {Address} not ready: {Reason}; trying again in {Delay}")]
    public static partial void ConnectFailed(ILogger logger, HostPort address, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 611, Level = LogLevel.Warning, Message = "P4Runtime connection to {Address} lost ({Code}: {Reason}); reconnecting")]
    public static partial void ConnectionLost(ILogger logger, HostPort address, StatusCode code, string reason);

    [LoggerMessage(EventId = 612, Level = LogLevel.Information, Message = "P4Runtime session to {Address} restored; pipeline reloaded: {PipelineReloaded}")]
    public static partial void Reconnected(ILogger logger, HostPort address, bool pipelineReloaded);

    [LoggerMessage(EventId = 613, Level = LogLevel.Error, Message = "a Reconnected handler failed")]
    public static partial void ReconnectedHandlerFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 614, Level = LogLevel.Warning, Message = "stream error from the target: {Code}: {Message}")]
    public static partial void StreamError(ILogger logger, int code, string message);

    [LoggerMessage(EventId = 615, Level = LogLevel.Debug, Message = "stream message ignored: {Kind}")]
    public static partial void StreamMessageIgnored(ILogger logger, StreamMessageResponse.UpdateOneofCase kind);

    [LoggerMessage(EventId = 616, Level = LogLevel.Error, Message = "the StreamChannel reader failed")]
    public static partial void StreamReaderFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 617, Level = LogLevel.Debug, Message = "WriteRequest {Number} of {Requests}: {Updates} updates")]
    public static partial void WriteRequest(ILogger logger, int number, int requests, int updates);

    [LoggerMessage(EventId = 618, Level = LogLevel.Debug, Message = "Write: {Failed} of {Total} updates failed; first: update {Index}: {Status}")]
    public static partial void WriteFailed(ILogger logger, int failed, int total, int index, P4UpdateStatus status);

    [LoggerMessage(EventId = 619, Level = LogLevel.Information, Message = "P4Runtime session to {Address} stopped")]
    public static partial void Stopped(ILogger logger, HostPort address);

    [LoggerMessage(EventId = 650, Level = LogLevel.Debug, Message = "gNMI {Address}: {Name} is P4 port {PortId}")]
    public static partial void PortFound(ILogger logger, HostPort address, string name, uint portId);

    [LoggerMessage(EventId = 651, Level = LogLevel.Information, Message = "gNMI port cache cleared ({Entries} entries)")]
    public static partial void PortCacheCleared(ILogger logger, int entries);
}
