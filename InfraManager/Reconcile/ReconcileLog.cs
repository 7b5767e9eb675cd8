namespace InfraManager.Reconcile;

/// <summary>The state controller: requests applied, writes rolled back, repairs (EventIds 800-899).</summary>
internal static partial class ReconcileLog
{
    [LoggerMessage(EventId = 800, Level = LogLevel.Information, Message = "{Command}: applied (batch of {Requests} requests: {Updates} P4 updates in {Writes} writes)")]
    public static partial void Applied(ILogger logger, InfraManager.State.StateCommand command, int requests, int updates, int writes);

    [LoggerMessage(EventId = 801, Level = LogLevel.Information, Message = "{Command}: nothing to change")]
    public static partial void Unchanged(ILogger logger, InfraManager.State.StateCommand command);

    [LoggerMessage(EventId = 802, Level = LogLevel.Warning, Message = "{Command}: refused: {Reason}")]
    public static partial void Rejected(ILogger logger, InfraManager.State.StateCommand command, string reason);

    [LoggerMessage(EventId = 803, Level = LogLevel.Error, Message = "{Command}: failed, nothing kept: {Reason}")]
    public static partial void Failed(ILogger logger, InfraManager.State.StateCommand command, string reason);

    [LoggerMessage(EventId = 804, Level = LogLevel.Warning, Message = "write failed after {Applied} updates were applied; rolling them back: {Reason}")]
    public static partial void RollingBack(ILogger logger, int applied, string reason);

    [LoggerMessage(EventId = 805, Level = LogLevel.Error, Message = "rollback failed, the target may hold a partial change until the reconciler repairs it: {Reason}")]
    public static partial void RollbackFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 806, Level = LogLevel.Information, Message = "reconcile ({Reason}): {Entities} entities wanted, the target held {Present}; {Missing} missing written, {Stale} stale deleted, {Wrong} wrong modified in {Elapsed} ms")]
    public static partial void Reconciled(ILogger logger, string reason, int entities, int present, int missing, int stale, int wrong, long elapsed);

    [LoggerMessage(EventId = 807, Level = LogLevel.Information, Message = "repair: {Kind} {Entity}")]
    public static partial void Repair(ILogger logger, string kind, string entity);

    [LoggerMessage(EventId = 808, Level = LogLevel.Information, Message = "repair: {More} more repairs not listed (Debug lists them)")]
    public static partial void MoreRepairs(ILogger logger, int more);

    [LoggerMessage(EventId = 809, Level = LogLevel.Debug, Message = "repair: {Kind} {Entity}")]
    public static partial void RepairDetail(ILogger logger, string kind, string entity);

    [LoggerMessage(EventId = 810, Level = LogLevel.Error, Message = "reconcile ({Reason}) failed, retrying in {Delay}: {Problem}")]
    public static partial void ReconcileFailed(ILogger logger, string reason, TimeSpan delay, string problem);

    [LoggerMessage(EventId = 811, Level = LogLevel.Information, Message = "desired state: {Pods} pods, {Services} services, host interface {Host}; loaded from {Source}")]
    public static partial void Loaded(ILogger logger, int pods, int services, string host, InfraManager.Store.StoreLoadSource source);

    [LoggerMessage(EventId = 812, Level = LogLevel.Warning, Message = "port of {Interface} changed from {Old} to {New} after the target restarted; its entries follow")]
    public static partial void PortMoved(ILogger logger, string @interface, uint old, uint @new);

    [LoggerMessage(EventId = 813, Level = LogLevel.Warning, Message = "cannot look up the port of {Interface} after the target restarted; keeping {Port}: {Problem}")]
    public static partial void PortRecheckFailed(ILogger logger, string @interface, uint port, string problem);

    [LoggerMessage(EventId = 814, Level = LogLevel.Error, Message = "the controller loop failed")]
    public static partial void LoopFailed(ILogger logger, Exception exception);
}
