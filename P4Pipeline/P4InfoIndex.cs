using Proto.P4.Config.V1;

namespace P4Pipeline;

/// <summary>
/// The P4Info by id and by name: the one place where P4 names meet ids. Names are looked up by
/// full name (k8s_dp_control.ipv4_to_port_table) or alias (ipv4_to_port_table).
/// </summary>
public sealed class P4InfoIndex
{
    private readonly Dictionary<string, TableInfo> _tablesByName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ActionInfo> _actionsByName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ActionProfileInfo> _profilesByName = new(StringComparer.Ordinal);

    private P4InfoIndex(P4Info info)
    {
        P4Info = info;
    }

    public P4Info P4Info { get; }

    public Dictionary<uint, TableInfo> Tables { get; } = [];

    public Dictionary<uint, ActionInfo> Actions { get; } = [];

    public Dictionary<uint, ActionProfileInfo> ActionProfiles { get; } = [];

    public static P4InfoIndex Build(P4Info info)
    {
        ArgumentNullException.ThrowIfNull(info);
        var index = new P4InfoIndex(info);
        var ids = new HashSet<uint>();
        foreach (var action in info.Actions)
        {
            Claim(ids, action.Preamble);
            var parameters = action.Params.Select(p => new ActionParamInfo(p.Id, p.Name, p.Bitwidth)).ToList();
            Unique(parameters.Select(p => p.Id), $"action {action.Preamble.Name} parameter");
            Add(index.Actions, index._actionsByName, action.Preamble, new ActionInfo(action.Preamble.Id, action.Preamble.Name, action.Preamble.Alias, parameters));
        }

        foreach (var profile in info.ActionProfiles)
        {
            Claim(ids, profile.Preamble);
            Add(index.ActionProfiles, index._profilesByName, profile.Preamble, new ActionProfileInfo(
                profile.Preamble.Id, profile.Preamble.Name, profile.Preamble.Alias, [.. profile.TableIds], profile.WithSelector, profile.Size, profile.MaxGroupSize));
        }

        foreach (var table in info.Tables)
        {
            Claim(ids, table.Preamble);
            var fields = table.MatchFields.Select(f => new MatchFieldInfo(f.Id, f.Name, f.Bitwidth, f.MatchType)).ToList();
            Unique(fields.Select(f => f.Id), $"table {table.Preamble.Name} match field");
            foreach (var reference in table.ActionRefs.Where(r => !index.Actions.ContainsKey(r.Id)))
            {
                throw new P4InfoException($"table {table.Preamble.Name} refers to unknown action id {reference.Id}");
            }

            Add(index.Tables, index._tablesByName, table.Preamble, new TableInfo(
                table.Preamble.Id,
                table.Preamble.Name,
                table.Preamble.Alias,
                fields,
                table.ActionRefs.ToDictionary(r => r.Id, r => r.Scope),
                table.ConstDefaultActionId,
                table.ImplementationId,
                table.Size,
                table.IdleTimeoutBehavior == Proto.P4.Config.V1.Table.Types.IdleTimeoutBehavior.NotifyControl,
                table.IsConstTable));
        }

        return index;
    }

    public TableInfo Table(string name) =>
        _tablesByName.TryGetValue(name, out var table) ? table : throw new P4InfoException($"the P4Info has no table '{name}'");

    public ActionInfo Action(string name) =>
        _actionsByName.TryGetValue(name, out var action) ? action : throw new P4InfoException($"the P4Info has no action '{name}'");

    public ActionProfileInfo ActionProfile(string name) =>
        _profilesByName.TryGetValue(name, out var profile) ? profile : throw new P4InfoException($"the P4Info has no action profile '{name}'");

    public bool TryGetTable(string name, out TableInfo table) => _tablesByName.TryGetValue(name, out table!);

    private static void Add<T>(Dictionary<uint, T> byId, Dictionary<string, T> byName, Preamble preamble, T value)
    {
        byId[preamble.Id] = value;
        byName[preamble.Name] = value;
        if (!string.IsNullOrEmpty(preamble.Alias))
        {
            // An alias shared by two objects names neither.
            if (!byName.TryAdd(preamble.Alias, value) && !ReferenceEquals(byName[preamble.Alias], value))
            {
                byName.Remove(preamble.Alias);
            }
        }
    }

    private static void Claim(HashSet<uint> ids, Preamble preamble)
    {
        if (preamble is null || preamble.Id == 0 || string.IsNullOrEmpty(preamble.Name))
        {
            throw new P4InfoException("every P4Info object needs a preamble with a non-zero id and a name");
        }

        if (!ids.Add(preamble.Id))
        {
            throw new P4InfoException($"id {preamble.Id} ({preamble.Name}) is used twice");
        }
    }

    private static void Unique(IEnumerable<uint> ids, string what)
    {
        var seen = new HashSet<uint>();
        foreach (var id in ids)
        {
            if (id == 0 || !seen.Add(id))
            {
                throw new P4InfoException($"{what} id {id} is zero or used twice");
            }
        }
    }
}
