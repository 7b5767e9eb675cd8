using InfraManager.Policy;
using InfraManager.State;
using Packets;
using Google.Protobuf;
using Proto.P4.V1;

namespace InfraManager.Tables;

/// <summary>
/// The entities a <see cref="ManagerState"/> puts on the target, kept up to date change by change by
/// its one writer. Every record maps to its own entries (reference-behaviour.md 4.2-4.7, with the
/// defects of 11.3 fixed) except set_meta_{tcp,udp}: several services may share a backend ip:port
/// while the table holds one entry per ip:port, so the entry goes to the sharing service with the
/// lowest group id, and moves to the next one when that service lets the backend go.
/// </summary>
internal sealed class DesiredEntities
{
    /// <summary>The ARP proxy's gateway address, answered on port 0 (reference-behaviour.md 4.7).</summary>
    public static readonly IPv4Address Gateway = IPv4Address.Parse("169.254.1.1");

    public const uint ArpProxyPort = 0;

    private readonly K8sDpTables _tables;
    // Serialized (about a tenth of the objects' size): a node's worth of entities stays small.
    private readonly Dictionary<EntityKey, byte[]> _entities = [];
    private readonly Dictionary<(EntityKind Kind, uint Id), int> _counts = [];
    private readonly Dictionary<(ServiceProtocol Protocol, BackendAddress Backend), SortedSet<uint>> _reverseUsers = [];
    private HashSet<EntityKey> _aclKeys = [];

    // While Apply runs: the value each touched key had before it.
    private readonly Dictionary<EntityKey, byte[]?> _touched = [];

    private DesiredEntities(K8sDpTables tables)
    {
        _tables = tables;
    }

    public K8sDpTables Tables => _tables;

    public int Count => _entities.Count;

    /// <summary>The ACL plan of the state these entities stand for.</summary>
    public AclPlan Acl { get; private set; } = AclPlan.Empty;

    /// <summary>How many entries (or members, or groups) of a table or selector the state uses.</summary>
    public int CountOf(EntityKind kind, uint id) => _counts.GetValueOrDefault((kind, id));

    public static DesiredEntities Build(K8sDpTables tables, ManagerState state)
    {
        ArgumentNullException.ThrowIfNull(tables);
        ArgumentNullException.ThrowIfNull(state);
        var desired = new DesiredEntities(tables);
        desired.Set(tables.Arp(Gateway, ArpProxyPort));
        desired.Apply(ManagerState.Empty, state);
        desired._touched.Clear();
        return desired;
    }

    /// <summary>
    /// Moves the entities from what <paramref name="before"/> needs to what <paramref name="after"/>
    /// needs and returns the net changes. Records are compared by reference first, so unchanged
    /// records cost nothing.
    /// </summary>
    /// <exception cref="CapacityException">
    /// <paramref name="after"/> needs more room than a table or selector has. The entities are left at
    /// <paramref name="after"/>: rebuild them from <paramref name="before"/>.
    /// </exception>
    public IReadOnlyList<EntityChange> Apply(ManagerState before, ManagerState after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        _touched.Clear();
        if (!ReferenceEquals(before.Endpoints, after.Endpoints))
        {
            foreach (var (old, updated) in Pairs(before.Endpoints, after.Endpoints))
            {
                if (old is not null)
                {
                    Remove(_tables.Arp(old.Ip, old.PortId));
                    Remove(_tables.Ipv4Route(old.Ip, old.PortId, old.Mac));
                }

                if (updated is not null)
                {
                    Set(_tables.Arp(updated.Ip, updated.PortId));
                    Set(_tables.Ipv4Route(updated.Ip, updated.PortId, updated.Mac));
                }
            }
        }

        if (!ReferenceEquals(before.Services, after.Services))
        {
            var reverseKeys = new HashSet<(ServiceProtocol, BackendAddress)>();
            foreach (var (old, updated) in Pairs(before.Services, after.Services))
            {
                if (old is not null)
                {
                    RemoveService(old, reverseKeys);
                }

                if (updated is not null)
                {
                    AddService(updated, reverseKeys);
                }
            }

            foreach (var key in reverseKeys)
            {
                var entity = _tables.ReverseKey(key.Item1, key.Item2, 0);
                if (_reverseUsers.TryGetValue(key, out var users) && users.Count > 0)
                {
                    Set(_tables.ReverseKey(key.Item1, key.Item2, users.Min));
                }
                else
                {
                    Remove(entity);
                }
            }
        }

        if (!ReferenceEquals(before.Felix, after.Felix))
        {
            ApplyAcl(after);
        }

        var changes = new List<EntityChange>(_touched.Count);
        foreach (var (key, previous) in _touched)
        {
            var current = _entities.GetValueOrDefault(key);
            if (previous is null && current is null)
            {
                continue;
            }

            if (previous is not null && current is not null && previous.AsSpan().SequenceEqual(current))
            {
                continue;
            }

            changes.Add(new EntityChange(key, Parse(previous), Parse(current)));
        }

        CheckCapacity(changes);
        _touched.Clear();
        return changes;
    }

    /// <summary>
    /// Starts comparing these entities with what the target holds: feed it every owned entity the
    /// target reports, then <see cref="Comparison.Finish"/> gives the changes that make the target
    /// equal to these entities.
    /// </summary>
    public Comparison Compare() => new(this);

    /// <summary>One comparison with the target, entity by entity.</summary>
    internal sealed class Comparison
    {
        private readonly DesiredEntities _desired;
        private readonly HashSet<EntityKey> _seen = [];
        private readonly List<EntityChange> _changes = [];

        public Comparison(DesiredEntities desired)
        {
            _desired = desired;
        }

        /// <summary>Owned entities the target reported.</summary>
        public int Present { get; private set; }

        public void Observe(EntityKey key, Entity present)
        {
            ArgumentNullException.ThrowIfNull(present);
            if (!_seen.Add(key))
            {
                return;
            }

            Present++;
            if (!_desired._entities.TryGetValue(key, out var wanted))
            {
                _changes.Add(new EntityChange(key, present, null));
            }
            else if (!K8sDpTables.Normalize(present).ToByteArray().AsSpan().SequenceEqual(wanted))
            {
                _changes.Add(new EntityChange(key, present, Parse(wanted)));
            }
        }

        public IReadOnlyList<EntityChange> Finish()
        {
            foreach (var (key, wanted) in _desired._entities)
            {
                if (!_seen.Contains(key))
                {
                    _changes.Add(new EntityChange(key, null, Parse(wanted)));
                }
            }

            return _changes;
        }
    }

    /// <summary>The ACL entries of the whole plan replace the previous ones (unchanged entries cost nothing: the net changes compare values).</summary>
    private void ApplyAcl(ManagerState state)
    {
        Acl = PolicyTranslator.Plan(state.Felix);
        var ids = AclGroupIds.Read(state.Felix);
        var keys = new HashSet<EntityKey>();
        foreach (var group in Acl.Groups.Values)
        {
            if (ids.TryGetValue(group.Content, out var id))
            {
                foreach (var entity in _tables.AclGroupEntries(group, id))
                {
                    keys.Add(Set(entity));
                }
            }
        }

        foreach (var pod in Acl.Pods)
        {
            // A group without an id (a store written before the manager enforced policy, until Felix's
            // next update assigns one) cannot be pointed at: its pods are closed meanwhile.
            var entity = pod.Group is null ? _tables.PodAcl(pod, 0)
                : ids.TryGetValue(pod.Group.Content, out var id) ? _tables.PodAcl(pod, id)
                : _tables.PodAcl(pod with { Verdict = AclVerdict.DenyAll, Group = null }, 0);
            keys.Add(Set(entity));
        }

        foreach (var key in _aclKeys)
        {
            if (!keys.Contains(key))
            {
                Remove(key);
            }
        }

        _aclKeys = keys;
    }

    private void AddService(ServiceRecord service, HashSet<(ServiceProtocol, BackendAddress)> reverseKeys)
    {
        var protocol = service.Key.Protocol;
        foreach (var backend in service.Backends)
        {
            Set(_tables.Dnat(backend.MemberId, backend.Address));
            Set(_tables.Member(protocol, backend.MemberId));
            var key = (protocol, backend.Address);
            if (!_reverseUsers.TryGetValue(key, out var users))
            {
                _reverseUsers[key] = users = [];
            }

            users.Add(service.GroupId);
            reverseKeys.Add(key);
        }

        Set(_tables.Group(protocol, service.GroupId, service.Backends.Select(b => b.MemberId)));
        Set(_tables.Balance(service.Key, service.GroupId));
        Set(_tables.Snat(service.GroupId, service.Key));
    }

    private void RemoveService(ServiceRecord service, HashSet<(ServiceProtocol, BackendAddress)> reverseKeys)
    {
        var protocol = service.Key.Protocol;
        foreach (var backend in service.Backends)
        {
            Remove(_tables.Dnat(backend.MemberId, backend.Address));
            Remove(_tables.Member(protocol, backend.MemberId));
            var key = (protocol, backend.Address);
            if (_reverseUsers.TryGetValue(key, out var users))
            {
                users.Remove(service.GroupId);
                if (users.Count == 0)
                {
                    _reverseUsers.Remove(key);
                }
            }

            reverseKeys.Add(key);
        }

        Remove(_tables.Group(protocol, service.GroupId, []));
        Remove(_tables.Balance(service.Key, service.GroupId));
        Remove(_tables.Snat(service.GroupId, service.Key));
    }

    private EntityKey Set(Entity entity)
    {
        var key = EntityKey.Of(entity);
        Touch(key);
        if (!_entities.ContainsKey(key))
        {
            Tally(key, +1);
        }

        _entities[key] = entity.ToByteArray();
        return key;
    }

    private void Remove(Entity entity) => Remove(EntityKey.Of(entity));

    private void Remove(EntityKey key)
    {
        Touch(key);
        if (_entities.Remove(key))
        {
            Tally(key, -1);
        }
    }

    private void Touch(EntityKey key) => _touched.TryAdd(key, _entities.GetValueOrDefault(key));

    private static Entity? Parse(byte[]? bytes) => bytes is null ? null : Entity.Parser.ParseFrom(bytes);

    private void Tally(EntityKey key, int delta)
    {
        var id = (key.Kind, key.Id);
        _counts[id] = _counts.GetValueOrDefault(id) + delta;
    }

    private void CheckCapacity(IReadOnlyList<EntityChange> changes)
    {
        // Make before break: new entries go in before the old ones leave, so the peak counts both.
        var leaving = new Dictionary<(EntityKind, uint), int>();
        foreach (var change in changes)
        {
            if (change.After is null)
            {
                leaving[(change.Key.Kind, change.Key.Id)] = leaving.GetValueOrDefault((change.Key.Kind, change.Key.Id)) + 1;
            }
        }

        foreach (var change in changes)
        {
            if (change.After is null)
            {
                continue;
            }

            var key = change.Key;
            var used = CountOf(key.Kind, key.Id) + leaving.GetValueOrDefault((key.Kind, key.Id));
            switch (key.Kind)
            {
                case EntityKind.TableEntry:
                    var table = _tables.Index.Tables[key.Id];
                    if (table.Size > 0 && used > table.Size)
                    {
                        throw new CapacityException($"table {table.Name} is full: it holds {table.Size} entries (P4Info size)");
                    }

                    break;
                case EntityKind.ActionProfileMember or EntityKind.ActionProfileGroup:
                    var profile = _tables.Index.ActionProfiles[key.Id];
                    var what = key.Kind == EntityKind.ActionProfileMember ? "members" : "groups";
                    if (profile.Size > 0 && used > profile.Size)
                    {
                        throw new CapacityException($"action selector {profile.Name} is full: it holds {profile.Size} {what} (P4Info size)");
                    }

                    if (key.Kind == EntityKind.ActionProfileGroup)
                    {
                        var limit = profile.MaxGroupSize > 0 ? profile.MaxGroupSize : profile.Size;
                        var members = change.After.ActionProfileGroup.Members.Count;
                        if (limit > 0 && members > limit)
                        {
                            throw new CapacityException($"action selector {profile.Name}: group {change.After.ActionProfileGroup.GroupId} would have {members} members, more than its maximum group size {limit}");
                        }
                    }

                    break;
            }
        }
    }

    /// <summary>Each key whose value differs by reference, with its old and new value (null when absent).</summary>
    private static IEnumerable<(TValue? Old, TValue? New)> Pairs<TKey, TValue>(
        System.Collections.Immutable.ImmutableSortedDictionary<TKey, TValue> before,
        System.Collections.Immutable.ImmutableSortedDictionary<TKey, TValue> after)
        where TKey : notnull
        where TValue : class
    {
        foreach (var (key, old) in before)
        {
            var updated = after.GetValueOrDefault(key);
            if (!ReferenceEquals(old, updated))
            {
                yield return (old, updated);
            }
        }

        foreach (var (key, updated) in after)
        {
            if (!before.ContainsKey(key))
            {
                yield return (null, updated);
            }
        }
    }
}
