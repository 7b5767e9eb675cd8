using FsCheck.Xunit;
using InfraManager.State;
using InfraManager.Store;
using Microsoft.Extensions.Logging.Abstractions;

namespace InfraManager.Tests.Store;

public sealed class StateStorePropertyTests
{
    /// <summary>
    /// Any run of commits reopens to the last state committed, also when the store is closed and
    /// reopened (replay and compaction) along the way.
    /// </summary>
    [Property(MaxTest = 40)]
    public bool Commit_RandomEdits_ReopensToTheLastState(byte[] steps)
    {
        using var directory = new StoreDirectory();
        var state = ManagerState.Empty;
        var store = StateStore.Open(directory.StorePath, NullLogger<StateStore>.Instance);
        try
        {
            foreach (var step in steps.Take(60))
            {
                state = StateSamples.Edit(state, step);
                store.Commit(state);
                if (step % 13 == 0)
                {
                    store.Dispose();
                    store = StateStore.Open(directory.StorePath, NullLogger<StateStore>.Instance);
                    if (!store.State.SameContent(state))
                    {
                        return false;
                    }
                }
            }
        }
        finally
        {
            store.Dispose();
        }

        using var reopened = StateStore.Open(directory.StorePath, NullLogger<StateStore>.Instance);
        return reopened.State.SameContent(state);
    }
}
