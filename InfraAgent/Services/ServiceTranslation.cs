using System.Collections.Immutable;

namespace InfraAgent.Services;

/// <summary>What the manager should program for one service port: exactly these backends, sorted (value equality).</summary>
internal sealed record ServiceTranslation(ServiceKey Key, ImmutableArray<ServiceBackend> Backends)
{
    public bool Equals(ServiceTranslation? other) =>
        other is not null && Key == other.Key && Backends.SequenceEqual(other.Backends);

    public override int GetHashCode() => HashCode.Combine(Key, Backends.Length);

    public override string ToString() => $"{Key} -> [{string.Join(", ", Backends)}]";
}
