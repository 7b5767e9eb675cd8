namespace InfraManager.P4;

/// <summary>Every wait of the P4Runtime session, bounded; tests shorten them.</summary>
internal sealed record P4SessionTimeouts
{
    public static P4SessionTimeouts Default { get; } = new();

    /// <summary>How long start keeps trying to reach the target before the daemon gives up.</summary>
    public TimeSpan Start { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long to wait to be told primary after arbitrating (the Go original waits 5 s).</summary>
    public TimeSpan Primary { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a Write or Read issued while reconnecting waits for the session before failing with UNAVAILABLE.</summary>
    public TimeSpan Ready { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Capabilities and GetForwardingPipelineConfig.</summary>
    public TimeSpan Rpc { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>SetForwardingPipelineConfig: infrap4d builds the pipeline before it answers.</summary>
    public TimeSpan SetPipeline { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>One WriteRequest.</summary>
    public TimeSpan Write { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>One Read, all of its responses.</summary>
    public TimeSpan Read { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The first pause between reconnect attempts; it doubles up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan NextBackoff(TimeSpan current) => current >= MaxBackoff / 2 ? MaxBackoff : current * 2;
}
