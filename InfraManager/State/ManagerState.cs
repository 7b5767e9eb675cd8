using System.Collections.Immutable;
using Google.Protobuf;
using Packets;

namespace InfraManager.State;

/// <summary>
/// Everything the manager was told and acknowledged: the desired state the target must hold. Immutable;
/// a request makes a new one, which the store writes before the request is answered.
/// </summary>
/// <param name="Endpoints">Pods, the host interface IP and the node IP, by IP.</param>
/// <param name="Services">Programmed service ports (each with at least one backend).</param>
/// <param name="Host">The host interface, once SetupHostInterface was received.</param>
/// <param name="Felix">Felix's policy model as received, by "Kind/id" (e.g. "ActivePolicy/default/allow-dns"), each the serialized felix message.</param>
/// <param name="Snat">SetSnatAddress/AddDelSnatPrefix as last received.</param>
/// <param name="Cursors">Where the id allocators continue.</param>
internal sealed record ManagerState(
    ImmutableSortedDictionary<IPv4Address, EndpointRecord> Endpoints,
    ImmutableSortedDictionary<ServiceKey, ServiceRecord> Services,
    HostInterfaceRecord? Host,
    ImmutableSortedDictionary<string, ByteString> Felix,
    SnatRecord Snat,
    IdCursors Cursors)
{
    public static ManagerState Empty { get; } = new(
        ImmutableSortedDictionary.Create<IPv4Address, EndpointRecord>(Ipv4Comparer.Instance),
        ImmutableSortedDictionary.Create<ServiceKey, ServiceRecord>(),
        null,
        ImmutableSortedDictionary.Create<string, ByteString>(StringComparer.Ordinal),
        SnatRecord.Empty,
        IdCursors.Initial);

    /// <summary>Same content, entry by entry (the dictionaries themselves compare by reference).</summary>
    public bool SameContent(ManagerState other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Equals(Host, other.Host) && Snat.Equals(other.Snat) && Cursors == other.Cursors
            && SameEntries(Endpoints, other.Endpoints, (a, b) => a.Equals(b))
            && SameEntries(Services, other.Services, (a, b) => a.Equals(b))
            && SameEntries(Felix, other.Felix, (a, b) => a.Equals(b));
    }

    private static bool SameEntries<TKey, TValue>(ImmutableSortedDictionary<TKey, TValue> a, ImmutableSortedDictionary<TKey, TValue> b, Func<TValue, TValue, bool> same)
        where TKey : notnull
    {
        if (a.Count != b.Count)
        {
            return false;
        }

        foreach (var (key, value) in a)
        {
            if (!b.TryGetValue(key, out var other) || !same(value, other))
            {
                return false;
            }
        }

        return true;
    }
}
