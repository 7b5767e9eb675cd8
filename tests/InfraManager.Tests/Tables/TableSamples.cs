using InfraManager.Tables;
using P4Pipeline;
using Proto.P4.Config.V1;
using Proto.P4.V1;
using SoftTargetKit;
using Xunit;

namespace InfraManager.Tests.Tables;

/// <summary>The k8s_dp tables of the repository's p4Info.txt, smaller variants of them, and entities rendered by name.</summary>
internal static class TableSamples
{
    public static K8sDpTables Tables { get; } = new(K8sDp.Names);

    /// <summary>k8s_dp with <paramref name="size"/> as the size of the named table or action selector.</summary>
    public static K8sDpTables Sized(string name, long size, int maxGroupSize = 0) => Edited(info =>
    {
        var found = false;
        foreach (var table in info.Tables.Where(t => t.Preamble.Name == name))
        {
            table.Size = size;
            found = true;
        }

        foreach (var profile in info.ActionProfiles.Where(p => p.Preamble.Name == name))
        {
            profile.Size = size;
            profile.MaxGroupSize = maxGroupSize;
            found = true;
        }

        Assert.True(found, $"k8s_dp has no table or action selector {name}");
    });

    /// <summary>k8s_dp with its P4Info changed by <paramref name="edit"/>.</summary>
    public static K8sDpTables Edited(System.Action<P4Info> edit)
    {
        var info = SoftTargetProcess.K8sDpP4Info.Clone();
        edit(info);
        return new K8sDpTables(P4InfoIndex.Build(info));
    }

    /// <summary>Each entity the desired state holds, rendered by name, sorted.</summary>
    public static string[] Described(DesiredEntities desired) =>
        [.. Entities(desired).Select(desired.Tables.Describe).Order(StringComparer.Ordinal)];

    /// <summary>The entities themselves: a comparison that saw nothing reports each as missing.</summary>
    public static Entity[] Entities(DesiredEntities desired) =>
        [.. desired.Compare().Finish().Select(c => c.After ?? throw new InvalidOperationException("a missing entity has an after"))];

    /// <summary>"Insert k8s_dp_control.… → …" for each change (the entity after it, or the one it deletes), sorted.</summary>
    public static string[] Lines(this K8sDpTables tables, IEnumerable<EntityChange> changes) =>
        [.. changes.Select(c => Line(tables, c)).Order(StringComparer.Ordinal)];

    public static string Line(K8sDpTables tables, EntityChange change) =>
        $"{change.Type} {tables.Describe(change.After ?? change.Before ?? throw new InvalidOperationException("a change has a before or an after"))}";

    /// <summary>Asserts the changes are exactly the expected lines, in any order.</summary>
    public static void AssertChanges(this K8sDpTables tables, IEnumerable<string> expected, IEnumerable<EntityChange> changes) =>
        Assert.Equal(expected.Order(StringComparer.Ordinal), tables.Lines(changes));
}
