namespace InfraManager.P4;

/// <summary>The session is primary again after losing its stream or the target.</summary>
internal sealed class P4ReconnectedEventArgs : EventArgs
{
    public P4ReconnectedEventArgs(bool pipelineReloaded)
    {
        PipelineReloaded = pipelineReloaded;
    }

    /// <summary>
    /// True when the target had no pipeline and the session loaded it, so the target holds no
    /// forwarding state at all (it restarted); false when the pipeline (and whatever state the
    /// target kept) was adopted.
    /// </summary>
    public bool PipelineReloaded { get; }
}
