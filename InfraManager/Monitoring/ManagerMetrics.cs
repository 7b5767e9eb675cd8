using Grpc.Core;
using InfraManager.Tables;
using Prometheus;

namespace InfraManager.Monitoring;

/// <summary>
/// The manager's Prometheus metrics, in their own registry (served on InfraManager:metricsAddr at
/// /metrics): requests and latency per RPC, table occupancy against the P4Info sizes, P4Runtime
/// errors, reconnects, reconcile runs and repairs.
/// </summary>
internal sealed class ManagerMetrics
{
    private readonly Counter _requests;
    private readonly Histogram _latency;
    private readonly Gauge _entries;
    private readonly Gauge _capacity;
    private readonly Counter _p4Errors;
    private readonly Counter _reconnects;
    private readonly Counter _reconciles;
    private readonly Counter _repairs;
    private readonly Counter _rollbacks;

    public ManagerMetrics()
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        // The process's own figures (resident memory, managed heap, GC counts) beside ours.
        DotNetStats.Register(Registry);
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        _requests = factory.CreateCounter("inframanager_requests_total", "infra.InfraAgent requests by method and result (ok, failed, invalid).", "method", "result");
        _latency = factory.CreateHistogram("inframanager_request_duration_seconds", "infra.InfraAgent request latency by method, until the change is on the target and on disk.", new HistogramConfiguration
        {
            LabelNames = ["method"],
            Buckets = Histogram.ExponentialBuckets(0.0001, 2, 18),
        });
        _entries = factory.CreateGauge("inframanager_table_entries", "Entries the desired state puts in each k8s_dp table (members and groups for action selectors).", "table");
        _capacity = factory.CreateGauge("inframanager_table_capacity", "Size of each k8s_dp table or action selector in the P4Info.", "table");
        _p4Errors = factory.CreateCounter("inframanager_p4runtime_errors_total", "P4Runtime calls or updates the target refused, by status code.", "code");
        _reconnects = factory.CreateCounter("inframanager_p4runtime_reconnects_total", "Times the P4Runtime session was re-established (reason: reconnected or pipeline_reloaded).", "reason");
        _reconciles = factory.CreateCounter("inframanager_reconcile_runs_total", "Reconcile runs by result (ok, failed).", "result");
        _repairs = factory.CreateCounter("inframanager_reconcile_repairs_total", "Entities the reconciler repaired, by kind (missing, stale, wrong).", "kind");
        _rollbacks = factory.CreateCounter("inframanager_rollbacks_total", "Changes rolled back after a write failed part-way.");
    }

    public CollectorRegistry Registry { get; }

    public void Request(string method, string result, TimeSpan elapsed)
    {
        _requests.WithLabels(method, result).Inc();
        _latency.WithLabels(method).Observe(elapsed.TotalSeconds);
    }

    public void P4Error(StatusCode code) => _p4Errors.WithLabels(code.ToString()).Inc();

    public void Reconnected(bool pipelineReloaded) => _reconnects.WithLabels(pipelineReloaded ? "pipeline_reloaded" : "reconnected").Inc();

    public void Reconciled(bool ok, int missing, int stale, int wrong)
    {
        _reconciles.WithLabels(ok ? "ok" : "failed").Inc();
        _repairs.WithLabels("missing").Inc(missing);
        _repairs.WithLabels("stale").Inc(stale);
        _repairs.WithLabels("wrong").Inc(wrong);
    }

    public void RolledBack() => _rollbacks.Inc();

    /// <summary>Sets the occupancy gauges from the desired entities.</summary>
    public void Occupancy(DesiredEntities desired)
    {
        ArgumentNullException.ThrowIfNull(desired);
        foreach (var table in desired.Tables.WrittenTables)
        {
            _entries.WithLabels(table.Name).Set(desired.CountOf(EntityKind.TableEntry, table.Id));
            _capacity.WithLabels(table.Name).Set(table.Size);
        }

        foreach (var profile in desired.Tables.Profiles)
        {
            _entries.WithLabels(profile.Name + ".members").Set(desired.CountOf(EntityKind.ActionProfileMember, profile.Id));
            _entries.WithLabels(profile.Name + ".groups").Set(desired.CountOf(EntityKind.ActionProfileGroup, profile.Id));
            _capacity.WithLabels(profile.Name + ".members").Set(profile.Size);
            _capacity.WithLabels(profile.Name + ".groups").Set(profile.Size);
        }
    }
}
