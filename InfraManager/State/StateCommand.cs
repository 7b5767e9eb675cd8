namespace InfraManager.State;

/// <summary>
/// One request's effect on the desired state, computed by the single writer. Returns the state
/// itself when there is nothing to do (a repeat), so that repeats write nothing.
/// </summary>
internal abstract record StateCommand
{
    /// <exception cref="CommandRejectedException">The request conflicts with the state.</exception>
    /// <exception cref="Tables.CapacityException">The ids ran out.</exception>
    public abstract ManagerState Apply(ManagerState state, IdAllocator ids);

    /// <summary>The request on one line with its identifiers, for the log.</summary>
    public abstract override string ToString();
}
