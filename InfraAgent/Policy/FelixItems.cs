using Proto.Felix;
using Case = Proto.Felix.ToDataplane.PayloadOneofCase;

namespace InfraAgent.Policy;

/// <summary>
/// The policy items (IP sets, profiles, policies, workload endpoints) Felix told the manager about and
/// has not removed, kept in a file beside the allocation cache. Felix starts every connection with its
/// whole state and then InSync; an item it removed while no connection was up (the agent restarting,
/// say) is simply absent from that state. At InSync the items not sent since the connection opened are
/// removed at the manager, so a deleted pod's restrictions cannot stay on an address a new pod gets.
/// </summary>
internal sealed class FelixItems
{
    private readonly string _path;
    private readonly Lock _gate = new();
    private readonly HashSet<string> _live = new(StringComparer.Ordinal);
    private bool _unsaved;

    public FelixItems(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _path = path;
        if (File.Exists(path))
        {
            _live.UnionWith(File.ReadAllLines(path).Where(l => l.Length > 0));
        }
    }

    /// <summary>The item a message updates or removes, and whether it removes it; null for messages about anything else.</summary>
    public static (string Item, bool Removes)? ItemOf(ToDataplane message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return message.PayloadCase switch
        {
            Case.IpsetUpdate => (Key("IPSet", message.IpsetUpdate.Id), false),
            Case.IpsetDeltaUpdate => (Key("IPSet", message.IpsetDeltaUpdate.Id), false),
            Case.IpsetRemove => (Key("IPSet", message.IpsetRemove.Id), true),
            Case.ActiveProfileUpdate => (Key("Profile", message.ActiveProfileUpdate.Id?.Name), false),
            Case.ActiveProfileRemove => (Key("Profile", message.ActiveProfileRemove.Id?.Name), true),
            Case.ActivePolicyUpdate => (Key("Policy", message.ActivePolicyUpdate.Id?.Tier, message.ActivePolicyUpdate.Id?.Name), false),
            Case.ActivePolicyRemove => (Key("Policy", message.ActivePolicyRemove.Id?.Tier, message.ActivePolicyRemove.Id?.Name), true),
            Case.WorkloadEndpointUpdate => (Workload(message.WorkloadEndpointUpdate.Id), false),
            Case.WorkloadEndpointRemove => (Workload(message.WorkloadEndpointRemove.Id), true),
            _ => null,
        };
    }

    /// <summary>
    /// Records that the manager took <paramref name="message"/> (an update adds its item, a removal drops
    /// it); written to the file at once unless <paramref name="persist"/> is false (during a sync, which
    /// <see cref="Persist"/> writes in one go at its InSync).
    /// </summary>
    public void Took(ToDataplane message, bool persist)
    {
        if (ItemOf(message) is not { } item)
        {
            return;
        }

        lock (_gate)
        {
            _unsaved |= item.Removes ? _live.Remove(item.Item) : _live.Add(item.Item);
            if (persist)
            {
                Save();
            }
        }
    }

    /// <summary>Writes what <see cref="Took"/> recorded without writing.</summary>
    public void Persist()
    {
        lock (_gate)
        {
            Save();
        }
    }

    /// <summary>Removals for the items Felix did not send in the sync that just ended (<paramref name="sent"/>: what it sent).</summary>
    public IReadOnlyList<ToDataplane> Stale(IReadOnlySet<string> sent)
    {
        ArgumentNullException.ThrowIfNull(sent);
        lock (_gate)
        {
            // Users before what they use (endpoints, policies, profiles, then IP sets): the reverse of Felix's order.
            return [.. _live.Where(i => !sent.Contains(i)).OrderBy(Rank).ThenBy(i => i, StringComparer.Ordinal).Select(Removal).OfType<ToDataplane>()];
        }
    }

    private void Save()
    {
        if (!_unsaved)
        {
            return;
        }

        _unsaved = false;
        StateFile.WriteLines(_path, _live.Order(StringComparer.Ordinal));
    }

    private static string Key(params string?[] parts) => string.Join('\t', parts.Select(p => p ?? string.Empty));

    private static string Workload(WorkloadEndpointID? id) => Key("Workload", id?.OrchestratorId, id?.WorkloadId, id?.EndpointId);

    private static int Rank(string item) => item[..item.IndexOf('\t', StringComparison.Ordinal)] switch
    {
        "Workload" => 0,
        "Policy" => 1,
        "Profile" => 2,
        _ => 3,
    };

    private static ToDataplane? Removal(string item)
    {
        var parts = item.Split('\t');
        return (parts[0], parts.Length) switch
        {
            ("IPSet", 2) => new ToDataplane { IpsetRemove = new IPSetRemove { Id = parts[1] } },
            ("Profile", 2) => new ToDataplane { ActiveProfileRemove = new ActiveProfileRemove { Id = new ProfileID { Name = parts[1] } } },
            ("Policy", 3) => new ToDataplane { ActivePolicyRemove = new ActivePolicyRemove { Id = new PolicyID { Tier = parts[1], Name = parts[2] } } },
            ("Workload", 4) => new ToDataplane { WorkloadEndpointRemove = new WorkloadEndpointRemove { Id = new WorkloadEndpointID { OrchestratorId = parts[1], WorkloadId = parts[2], EndpointId = parts[3] } } },
            _ => null,
        };
    }
}
