using Proto.P4.V1;

namespace SoftTarget.Runtime;

/// <summary>Read with wildcards: a zero id reads everything of its kind (p4runtime-semantics.md, Read).</summary>
internal static class EntityReader
{
    public static IEnumerable<Entity> Read(ForwardingPipeline pipeline, Entity filter) => filter.EntityCase switch
    {
        Entity.EntityOneofCase.TableEntry => ReadTables(pipeline, filter.TableEntry),
        Entity.EntityOneofCase.ActionProfileMember => ReadMembers(pipeline, filter.ActionProfileMember),
        _ => ReadGroups(pipeline, filter.ActionProfileGroup),
    };

    private static IEnumerable<Entity> ReadTables(ForwardingPipeline pipeline, TableEntry filter)
    {
        if (filter.TableId == 0)
        {
            return pipeline.Tables.Values.SelectMany(t => t.Entries.Values.Select(e => new Entity { TableEntry = e.Entry }));
        }

        if (filter.Match.Count == 0 && !filter.IsDefaultAction)
        {
            return pipeline.Tables.TryGetValue(filter.TableId, out var whole)
                ? whole.Entries.Values.Select(e => new Entity { TableEntry = e.Entry })
                : throw new P4UpdateException(Grpc.Core.StatusCode.InvalidArgument, $"table id {filter.TableId} is not in the P4Info");
        }

        var (table, key, _) = EntityCompiler.CompileKey(pipeline, filter);
        if (filter.IsDefaultAction)
        {
            return table.DefaultEntry is { } stored ? [new Entity { TableEntry = stored.Entry }] : [];
        }

        return table.Entries.TryGetValue(key, out var entry) ? [new Entity { TableEntry = entry.Entry }] : [];
    }

    private static IEnumerable<Entity> ReadMembers(ForwardingPipeline pipeline, ActionProfileMember filter) =>
        Profiles(pipeline, filter.ActionProfileId)
            .SelectMany(p => p.Members.Where(m => filter.MemberId == 0 || m.Key == filter.MemberId))
            .Select(m => new Entity { ActionProfileMember = m.Value.Written });

    private static IEnumerable<Entity> ReadGroups(ForwardingPipeline pipeline, ActionProfileGroup filter) =>
        Profiles(pipeline, filter.ActionProfileId)
            .SelectMany(p => p.Groups.Where(g => filter.GroupId == 0 || g.Key == filter.GroupId))
            .Select(g => new Entity { ActionProfileGroup = g.Value.Written });

    private static ActionProfileState[] Profiles(ForwardingPipeline pipeline, uint id) =>
        id == 0 ? [.. pipeline.Profiles.Values] : pipeline.Profiles.TryGetValue(id, out var profile) ? [profile] : [];
}
