using System.Text;
using InfraManager.State;
using InfraManager.Store;
using InfraManager.Tests.P4;
using Microsoft.Extensions.Logging;
using Xunit;
using static InfraManager.Tests.Store.StateSamples;

namespace InfraManager.Tests.Store;

public sealed class StateStoreTests : IDisposable
{
    private const int JournalTailDropped = 702;
    private const int Compacted = 704;

    private readonly StoreDirectory _directory = new();
    private readonly RecordingLogger<StateStore> _logger = new();

    public void Dispose() => _directory.Dispose();

    private StateStore Open() => StateStore.Open(_directory.StorePath, _logger);

    /// <summary>Commits each state in turn and closes the store without reopening it, so the journal keeps every batch.</summary>
    private void CommitAll(params ManagerState[] states)
    {
        using var store = Open();
        foreach (var state in states)
        {
            store.Commit(state);
        }
    }

    private static ManagerState Second() =>
        Full().WithoutEndpoint("10.244.0.5").WithEndpoint(Pod("10.244.0.7", 5)).WithoutService(Key("10.96.0.10", ServiceProtocol.Tcp, 53));

    [Fact]
    public void Open_EmptyDirectory_EmptyState()
    {
        _directory.Create();

        using var store = Open();

        Assert.Equal(StoreLoadSource.Empty, store.LoadedFrom);
        Assert.True(store.State.SameContent(ManagerState.Empty));
        Assert.False(File.Exists(_directory.Snapshot));
    }

    [Fact]
    public void Open_MissingDirectory_CreatesItWithMode0700()
    {
        using var store = Open();

        Assert.Equal(StoreLoadSource.Empty, store.LoadedFrom);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_directory.StorePath));
    }

    [Fact]
    public void Commit_ThenReopen_SameContent()
    {
        var state = Full();
        CommitAll(state);

        using var store = Open();

        Assert.Equal(StoreLoadSource.Store, store.LoadedFrom);
        Assert.True(store.State.SameContent(state), _logger.ToString());
    }

    [Fact]
    public void Commit_State_IsTheCommittedOne()
    {
        using var store = Open();
        var state = Full();

        store.Commit(state);

        Assert.Same(state, store.State);
    }

    [Fact]
    public void Commit_SeveralThenReopen_TheLastContent()
    {
        var first = Full();
        var second = Second();
        var third = second.WithoutFelix("HostEndpoint/node-1/eth0") with { Host = null, Cursors = new IdCursors(9, 9) };
        var fourth = third.WithService(Service(Key("10.96.0.10", ServiceProtocol.Udp, 53), 1, ("10.244.0.7", 53, 9)));
        CommitAll(first, second, third, fourth);

        using var store = Open();

        Assert.True(store.State.SameContent(fourth));
        Assert.False(store.State.SameContent(third));
    }

    [Fact]
    public void Open_LastBatchTorn_ReopensToThePreviousCommit()
    {
        CommitAll(Full(), Second());
        using (var journal = File.OpenWrite(_directory.Journal))
        {
            journal.SetLength(journal.Length - 3);
        }

        using var store = Open();

        Assert.True(store.State.SameContent(Full()));
        var warning = Assert.Single(_logger.Entries, e => e.EventId == JournalTailDropped);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("dropped", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_TrailingBatchWithoutCommitMarker_Ignored()
    {
        CommitAll(Full(), Second());
        var lines = File.ReadAllLines(_directory.Journal);
        Assert.Contains("\"op\":\"commit\"", lines[^1], StringComparison.Ordinal);
        File.WriteAllLines(_directory.Journal, lines[..^1]);

        using var store = Open();

        Assert.True(store.State.SameContent(Full()));
        Assert.Equal(1, _logger.Count(JournalTailDropped));
    }

    [Fact]
    public void Open_FailedAppendLeftBeforeItsRetry_NeverAppliesHalfABatch()
    {
        // Batch 2's first attempt stopped after its change lines; the retry wrote batch 2 again in full.
        // The leftover must not turn into part of the retried batch.
        CommitAll(Full());
        var attempt = Encoding.UTF8.GetString(JournalBatch.Encode(Full(), Second(), 2));
        var leftover = attempt[..(attempt.LastIndexOf("{\"seq\":2,\"op\":\"commit\"", StringComparison.Ordinal))];
        var retry = Encoding.UTF8.GetString(JournalBatch.Encode(Full(), Full().WithoutEndpoint("10.244.0.6"), 2));
        File.AppendAllText(_directory.Journal, leftover + retry);

        using var store = Open();

        Assert.True(store.State.SameContent(Full()));
        Assert.Equal(1, _logger.Count(JournalTailDropped));
    }

    [Fact]
    public void Open_IncompleteBatchFollowedByCompleteOnes_ThrowsNamingTheJournal()
    {
        CommitAll(Full());
        var attempt = Encoding.UTF8.GetString(JournalBatch.Encode(Full(), Second(), 2));
        var leftover = attempt[..(attempt.LastIndexOf("{\"seq\":2,\"op\":\"commit\"", StringComparison.Ordinal))];
        var next = Encoding.UTF8.GetString(JournalBatch.Encode(Full(), ManagerState.Empty, 3));
        File.AppendAllText(_directory.Journal, leftover + next);

        var error = Assert.Throws<StoreException>(Open);

        Assert.StartsWith($"{_directory.Journal}: line ", error.Message, StringComparison.Ordinal);
        Assert.Contains("batch 2 has no commit marker", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_GarbageBeforeACompleteBatch_ThrowsNamingTheJournal()
    {
        CommitAll(Full());
        var lines = File.ReadAllLines(_directory.Journal).Length;
        var next = Encoding.UTF8.GetString(JournalBatch.Encode(Full(), Second(), 2));
        File.AppendAllText(_directory.Journal, "{\"seq\":2,\"op\":\"putEnd\n" + next);

        var error = Assert.Throws<StoreException>(Open);

        Assert.StartsWith($"{_directory.Journal}: line {lines + 1}: not JSON", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("and complete batches follow it", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_CompleteBatchThatCannotBeApplied_ThrowsNamingTheLine()
    {
        _directory.Create();
        File.WriteAllText(
            _directory.Journal,
            "{\"seq\":1,\"op\":\"putEndpoint\",\"key\":\"10.244.0.5\",\"value\":{\"mac\":\"zz\",\"portId\":3,\"interface\":\"P4TAP_3\",\"kind\":\"pod\"}}\n"
            + "{\"seq\":1,\"op\":\"commit\",\"changes\":1}\n");

        var error = Assert.Throws<StoreException>(Open);

        Assert.Equal($"{_directory.Journal}: line 1: value.mac: 'zz' is not a MAC address", error.Message);
    }

    [Fact]
    public void Open_NonEmptyJournal_CompactsIntoTheSnapshot()
    {
        CommitAll(Full(), Second());

        using (var store = Open())
        {
            Assert.True(store.State.SameContent(Second()));
        }

        Assert.Equal(0, new FileInfo(_directory.Journal).Length);
        Assert.Contains("\"sequence\": 2,", File.ReadAllText(_directory.Snapshot), StringComparison.Ordinal);
        Assert.Equal(1, _logger.Count(Compacted));
        using var reopened = Open();
        Assert.Equal(StoreLoadSource.Store, reopened.LoadedFrom);
        Assert.True(reopened.State.SameContent(Second()));
        Assert.Equal(1, _logger.Count(Compacted));
    }

    [Fact]
    public void Commit_AfterCompaction_ContinuesTheSequence()
    {
        CommitAll(Full());
        using (var store = Open())
        {
            store.Commit(Second());
        }

        Assert.StartsWith("{\"seq\":2,", File.ReadAllText(_directory.Journal), StringComparison.Ordinal);
        using var reopened = Open();
        Assert.True(reopened.State.SameContent(Second()));
    }

    [Fact]
    public void Open_JournalBatchesAlreadyInTheSnapshot_Skipped()
    {
        // A crash between writing the snapshot and emptying the journal leaves batches the snapshot holds.
        CommitAll(Full(), Second());
        var journal = File.ReadAllBytes(_directory.Journal);
        Open().Dispose();
        File.WriteAllBytes(_directory.Journal, journal);

        using var store = Open();

        Assert.True(store.State.SameContent(Second()));
        Assert.Contains("(0 journal batches replayed)", _logger.Entries[^1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Commit_JournalPastSixteenMebibytes_Compacts()
    {
        var state = Full();
        using (var store = Open())
        {
            for (var i = 0; _logger.Count(Compacted) == 0; i++)
            {
                Assert.True(i < 5, "no compaction after 5 commits of 4 MiB");
                state = state.WithFelix($"ActivePolicy/default/big{i}", new byte[4 * 1024 * 1024]);
                store.Commit(state);
            }

            Assert.Equal(0, new FileInfo(_directory.Journal).Length);
            store.Commit(state.WithoutFelix("ActivePolicy/default/big0"));
            state = store.State;
        }

        Assert.True(new FileInfo(_directory.Snapshot).Length > 3 * 4 * 1024 * 1024);
        using var reopened = Open();
        Assert.True(reopened.State.SameContent(state));
    }

    [Fact]
    public void Open_UnknownSnapshotVersion_ThrowsNamingTheFile()
    {
        _directory.Create();
        File.WriteAllText(_directory.Snapshot, "{\"version\": 7, \"sequence\": 0}");

        var error = Assert.Throws<StoreException>(Open);

        Assert.Equal($"{_directory.Snapshot}: unknown version 7", error.Message);
    }

    [Fact]
    public void Open_CorruptSnapshotJson_ThrowsNamingTheFile()
    {
        CommitAll(Full());
        Open().Dispose();
        var text = File.ReadAllText(_directory.Snapshot);
        File.WriteAllText(_directory.Snapshot, text[..(text.Length / 2)]);

        var error = Assert.Throws<StoreException>(Open);

        Assert.StartsWith($"{_directory.Snapshot}: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_SnapshotWithAnInvalidAddress_ThrowsNamingFileAndField()
    {
        CommitAll(Full());
        Open().Dispose();
        File.WriteAllText(_directory.Snapshot, File.ReadAllText(_directory.Snapshot).Replace("\"ip\": \"10.244.0.6\"", "\"ip\": \"10.244.0.666\"", StringComparison.Ordinal));

        var error = Assert.Throws<StoreException>(Open);

        Assert.Equal($"{_directory.Snapshot}: services[\"10.96.0.10:UDP:53\"].backends[1].ip: '10.244.0.666' is not an IPv4 address", error.Message);
    }

    [Fact]
    public void Open_AfterCommits_SnapshotReadsAsText()
    {
        CommitAll(Full());
        Open().Dispose();

        var text = File.ReadAllText(_directory.Snapshot);

        Assert.StartsWith("{\n  \"version\": 1,\n  \"sequence\": 1,", text, StringComparison.Ordinal);
        Assert.Contains("\"10.96.0.10:UDP:53\": {", text, StringComparison.Ordinal);
        Assert.Contains("\"ip\": \"10.244.0.5\",\n          \"port\": 53,\n          \"memberId\": 1", text, StringComparison.Ordinal);
        Assert.Contains("\"200.1.1.2\": {\n      \"mac\": \"00:09:00:08:b5:01\"", text, StringComparison.Ordinal);
        Assert.Contains("\"kind\": \"hostInterface\"", text, StringComparison.Ordinal);
        Assert.Contains("\"prefixes\": [\n      \"10.244.0.0/16\",\n      \"10.96.0.0/12\"\n    ]", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Commit_Files_Mode0600()
    {
        CommitAll(Full());
        Open().Dispose();

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_directory.Journal));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_directory.Snapshot));
        Assert.Equal(new[] { _directory.Journal, _directory.Snapshot }, Directory.GetFiles(_directory.StorePath).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Commit_UnchangedState_WritesNothing()
    {
        using var store = Open();
        store.Commit(Full());
        var length = new FileInfo(_directory.Journal).Length;

        store.Commit(store.State);
        store.Commit(store.State.Rebuilt());

        Assert.Equal(length, new FileInfo(_directory.Journal).Length);
        Assert.True(store.State.SameContent(Full()));
    }

    [Fact]
    public void Commit_OneEndpointAdded_AppendsOneChangeAndTheMarker()
    {
        CommitAll(Full(), Full().WithEndpoint(Pod("10.244.0.9", 7)));

        var added = File.ReadAllLines(_directory.Journal)[^2..];

        Assert.Equal(
            new[]
            {
                "{\"seq\":2,\"op\":\"putEndpoint\",\"key\":\"10.244.0.9\",\"value\":{\"mac\":\"00:09:00:08:b5:07\",\"portId\":7,\"interface\":\"P4TAP_7\",\"kind\":\"pod\"}}",
                "{\"seq\":2,\"op\":\"commit\",\"changes\":1}",
            },
            added);
    }

    [Fact]
    public void Commit_JournalCannotBeWritten_ThrowsAndKeepsTheState()
    {
        // Every write to /dev/full fails with ENOSPC, and it cannot be truncated either.
        _directory.Create();
        File.CreateSymbolicLink(_directory.Journal, "/dev/full");
        using var store = Open();

        var error = Assert.Throws<StoreException>(() => store.Commit(Full()));
        var again = Assert.Throws<StoreException>(() => store.Commit(Full()));

        Assert.StartsWith($"{_directory.Journal}: ", error.Message, StringComparison.Ordinal);
        Assert.StartsWith($"{_directory.Journal}: ", again.Message, StringComparison.Ordinal);
        Assert.True(store.State.SameContent(ManagerState.Empty));
    }

    [Fact]
    public void Open_StoreAlreadyOpen_ThrowsNamingTheJournal()
    {
        using var store = Open();

        var error = Assert.Throws<StoreException>(Open);

        Assert.StartsWith($"{_directory.Journal}: ", error.Message, StringComparison.Ordinal);
    }
}
