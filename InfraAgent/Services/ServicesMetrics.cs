using Prometheus;

namespace InfraAgent.Services;

/// <summary>The services watcher's Prometheus metrics, in the agent's registry (served at /metrics beside the readiness check).</summary>
internal sealed class ServicesMetrics
{
    private readonly Histogram _programming;
    private readonly Counter _requests;

    public ServicesMetrics()
        : this(Metrics.NewCustomRegistry())
    {
    }

    public ServicesMetrics(CollectorRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        Registry = registry;
        var factory = Metrics.WithCustomRegistry(Registry);
        // kube-proxy's SLI: from a Service/EndpointSlice change seen to the data plane having it (here: the manager's acknowledgement).
        _programming = factory.CreateHistogram("network_programming_duration_seconds", "From a Service or EndpointSlice change seen by the agent to the manager acknowledging the service port.", new HistogramConfiguration
        {
            Buckets = Histogram.ExponentialBuckets(0.001, 2, 18),
        });
        _requests = factory.CreateCounter("infraagent_nat_requests_total", "NatTranslationAdd/Delete requests to the manager by method and result (ok, failed, rejected).", "method", "result");
    }

    public CollectorRegistry Registry { get; }

    public long ProgrammedCount => _programming.Count;

    public void Programmed(TimeSpan elapsed) => _programming.Observe(elapsed.TotalSeconds);

    public void Request(string method, string result) => _requests.WithLabels(method, result).Inc();
}
