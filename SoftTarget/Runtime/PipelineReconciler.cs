namespace SoftTarget.Runtime;

/// <summary>
/// RECONCILE_AND_COMMIT: state moves to the new pipeline where it still fits: profiles with the same
/// shape, and entries of tables with the same key and implementation whose actions keep their parameters.
/// </summary>
internal static class PipelineReconciler
{
    public static void Carry(ForwardingPipeline from, ForwardingPipeline to)
    {
        var carriedProfiles = new HashSet<uint>();
        foreach (var (id, profile) in from.Profiles)
        {
            if (!to.Profiles.TryGetValue(id, out var target)
                || target.Info.WithSelector != profile.Info.WithSelector
                || !profile.Members.Values.All(m => SameAction(from, to, m.Action.Id)))
            {
                continue;
            }

            foreach (var (memberId, member) in profile.Members)
            {
                target.Members[memberId] = member;
            }

            foreach (var (groupId, group) in profile.Groups)
            {
                target.Groups[groupId] = group;
            }

            carriedProfiles.Add(id);
        }

        foreach (var (id, table) in from.Tables)
        {
            if (!to.Tables.TryGetValue(id, out var target)
                || !target.Info.MatchFields.SequenceEqual(table.Info.MatchFields)
                || target.Info.ImplementationId != table.Info.ImplementationId)
            {
                continue;
            }

            foreach (var (key, entry) in table.Entries)
            {
                var fits = entry.Action.Kind == EntryActionKind.Action
                    ? target.Info.Actions.ContainsKey(entry.Action.Id) && SameAction(from, to, entry.Action.Id)
                    : carriedProfiles.Contains(table.Info.ImplementationId);
                if (fits)
                {
                    target.TryAdd(key, entry);
                }
            }

            if (table.DefaultEntry is { } defaultEntry && target.Info.Actions.ContainsKey(defaultEntry.Action.Id) && SameAction(from, to, defaultEntry.Action.Id))
            {
                target.DefaultEntry = defaultEntry;
            }
        }
    }

    private static bool SameAction(ForwardingPipeline from, ForwardingPipeline to, uint actionId) =>
        to.Index.Actions.TryGetValue(actionId, out var action) && action.Params.SequenceEqual(from.Index.Actions[actionId].Params);
}
