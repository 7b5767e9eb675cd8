using InfraManager.State;
using Packets;

namespace InfraManager.Store;

/// <summary>The durable store and the Go store import (EventIds 700-799).</summary>
internal static partial class StoreLog
{
    [LoggerMessage(EventId = 700, Level = LogLevel.Information, Message = "store {Directory} loaded from {Source}: {Endpoints} endpoints, {Services} services, {FelixEntries} Felix entries at sequence {Sequence} ({Batches} journal batches replayed)")]
    public static partial void Loaded(ILogger logger, string directory, StoreLoadSource source, int endpoints, int services, int felixEntries, long sequence, int batches);

    [LoggerMessage(EventId = 701, Level = LogLevel.Information, Message = "created the store directory {Directory}")]
    public static partial void DirectoryCreated(ILogger logger, string directory);

    [LoggerMessage(EventId = 702, Level = LogLevel.Warning, Message = "{Path}: dropped {Lines} lines ({Bytes} bytes) after the last complete batch, a commit cut short by a crash")]
    public static partial void JournalTailDropped(ILogger logger, string path, int lines, long bytes);

    [LoggerMessage(EventId = 703, Level = LogLevel.Debug, Message = "{Path}: batch {Sequence} appended ({Bytes} bytes)")]
    public static partial void Committed(ILogger logger, string path, long sequence, int bytes);

    [LoggerMessage(EventId = 704, Level = LogLevel.Information, Message = "{Path}: snapshot written at sequence {Sequence}, journal of {JournalBytes} bytes emptied")]
    public static partial void Compacted(ILogger logger, string path, long sequence, long journalBytes);

    [LoggerMessage(EventId = 705, Level = LogLevel.Warning, Message = "store {Directory}: compaction failed; the journal keeps every change and the next commit tries again")]
    public static partial void CompactionFailed(ILogger logger, string directory, Exception exception);

    [LoggerMessage(EventId = 706, Level = LogLevel.Warning, Message = "{Path}: could not cut off a failed append; the next commit does it before appending")]
    public static partial void CutBackFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 720, Level = LogLevel.Information, Message = "imported the Go manager's store in {Directory}: {Pods} pods, {Services} services (its files are left as they are)")]
    public static partial void GoImported(ILogger logger, string directory, int pods, int services);

    [LoggerMessage(EventId = 721, Level = LogLevel.Warning, Message = "{File}: skipped {Entry}: {Reason}")]
    public static partial void GoEntrySkipped(ILogger logger, string file, string entry, string reason);

    [LoggerMessage(EventId = 722, Level = LogLevel.Debug, Message = "{File}: skipped {Ip}, the pod gateway: the manager writes its rule itself")]
    public static partial void GoGatewaySkipped(ILogger logger, string file, IPv4Address ip);

    [LoggerMessage(EventId = 723, Level = LogLevel.Warning, Message = "{File}: service {Service}: group id {OldId} {Reason}; it gets {NewId}")]
    public static partial void GoGroupIdReassigned(ILogger logger, string file, ServiceKey service, uint oldId, string reason, uint newId);

    [LoggerMessage(EventId = 724, Level = LogLevel.Warning, Message = "{File}: service {Service} backend {Backend}: member id {OldId} {Reason}; it gets {NewId}")]
    public static partial void GoMemberIdReassigned(ILogger logger, string file, ServiceKey service, BackendAddress backend, uint oldId, string reason, uint newId);

    [LoggerMessage(EventId = 725, Level = LogLevel.Warning, Message = "{File}: the host interface {Ip} has no entry in cni_db.json, so its port is unknown; it is not imported")]
    public static partial void GoHostInterfaceMissing(ILogger logger, string file, IPv4Address ip);

    [LoggerMessage(EventId = 726, Level = LogLevel.Warning, Message = "{File}: skipped {Entry}: k8s_dp balances TCP and UDP only, not '{Protocol}'")]
    public static partial void GoProtocolSkipped(ILogger logger, string file, string entry, string protocol);
}
