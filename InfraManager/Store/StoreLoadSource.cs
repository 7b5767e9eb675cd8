namespace InfraManager.Store;

/// <summary>Where <see cref="StateStore.Open"/> found the state it starts from.</summary>
internal enum StoreLoadSource
{
    /// <summary>Nothing was stored: the state is <c>ManagerState.Empty</c>.</summary>
    Empty,

    /// <summary>Our own snapshot and journal.</summary>
    Store,

    /// <summary>Imported from the Go manager's cni_db.json, services_db.json and setup_db.json.</summary>
    GoStore,
}
