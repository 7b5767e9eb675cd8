using Prometheus;

namespace InfraAgent.Cni;

/// <summary>CNI Add and Del latency and results, in the agent's registry (served at /metrics on the health endpoint).</summary>
internal sealed class CniMetrics
{
    private readonly Histogram _latency;

    public CniMetrics(CollectorRegistry registry)
    {
        var factory = Prometheus.Metrics.WithCustomRegistry(registry);
        _latency = factory.CreateHistogram("infraagent_cni_request_duration_seconds", "CNI Add and Del latency by method and result (ok, failed, invalid), until the reply.", new HistogramConfiguration
        {
            LabelNames = ["method", "result"],
            Buckets = Histogram.ExponentialBuckets(0.0005, 2, 16),
        });
    }

    public void Observe(string method, string result, TimeSpan elapsed) => _latency.WithLabels(method, result).Observe(elapsed.TotalSeconds);
}
