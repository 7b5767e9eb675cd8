using System.Collections.Immutable;

namespace InfraManager.State;

/// <summary>
/// A programmed service port: its action-selector group (GroupId is also its write_source_ip_table key,
/// mod_blob_ptr_snat) and its backends, ordered by address. Never holds zero backends: a service
/// without backends is not programmed at all.
/// </summary>
internal sealed record ServiceRecord
{
    public ServiceRecord(ServiceKey key, uint groupId, IEnumerable<Backend> backends)
    {
        ArgumentNullException.ThrowIfNull(backends);
        Key = key;
        GroupId = groupId;
        Backends = [.. backends.OrderBy(b => b.Address)];
    }

    public ServiceKey Key { get; }

    public uint GroupId { get; }

    public ImmutableArray<Backend> Backends { get; }

    public Backend? Find(BackendAddress address)
    {
        foreach (var backend in Backends)
        {
            if (backend.Address == address)
            {
                return backend;
            }
        }

        return null;
    }

    public bool Equals(ServiceRecord? other) =>
        other is not null && Key == other.Key && GroupId == other.GroupId && Backends.SequenceEqual(other.Backends);

    public override int GetHashCode() => HashCode.Combine(Key, GroupId, Backends.Length);
}
