using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Google.Protobuf;
using InfraManager.Tables;

namespace InfraManager.Policy;

/// <summary>
/// The pol_id of each rule group, kept with Felix's model in the state under "AclGroup/&lt;id&gt;"
/// (value: the group's content), so that ids survive restarts and a reconcile never renumbers what
/// the target holds. pol_id is 8 bits wide and 0 means "no group": 255 groups at most.
/// </summary>
internal static class AclGroupIds
{
    public const string Kind = "AclGroup/";
    public const int MaxId = 255;

    /// <summary>Content → pol_id as recorded in <paramref name="felix"/>.</summary>
    public static Dictionary<string, byte> Read(ImmutableSortedDictionary<string, ByteString> felix)
    {
        ArgumentNullException.ThrowIfNull(felix);
        var ids = new Dictionary<string, byte>(StringComparer.Ordinal);
        foreach (var (key, value) in felix)
        {
            if (key.StartsWith(Kind, StringComparison.Ordinal) && byte.TryParse(key.AsSpan(Kind.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                ids[value.ToStringUtf8()] = id;
            }
        }

        return ids;
    }

    /// <summary>Whether a Felix key feeds the ACL plan (policies, profiles, IP sets, workload endpoints).</summary>
    public static bool Affects(string felixKey) =>
        felixKey.StartsWith(PolicyTranslator.PolicyKind, StringComparison.Ordinal) || felixKey.StartsWith(PolicyTranslator.ProfileKind, StringComparison.Ordinal)
        || felixKey.StartsWith(PolicyTranslator.IpSetKind, StringComparison.Ordinal) || felixKey.StartsWith(PolicyTranslator.WorkloadKind, StringComparison.Ordinal);

    /// <summary><paramref name="felix"/> with the ids of the groups its plan uses.</summary>
    public static ImmutableSortedDictionary<string, ByteString> Refresh(ImmutableSortedDictionary<string, ByteString> felix) =>
        Assign(felix, PolicyTranslator.Plan(felix));

    /// <summary>
    /// Gives every group <paramref name="plan"/> uses an id (groups that were there keep theirs; a new
    /// one takes the lowest id neither used now nor freed by this change) and drops the others.
    /// </summary>
    /// <exception cref="CapacityException">More than 255 distinct rule groups.</exception>
    public static ImmutableSortedDictionary<string, ByteString> Assign(ImmutableSortedDictionary<string, ByteString> felix, AclPlan plan)
    {
        ArgumentNullException.ThrowIfNull(felix);
        ArgumentNullException.ThrowIfNull(plan);
        if (plan.Groups.Count > MaxId)
        {
            throw new CapacityException($"the policies need {plan.Groups.Count} distinct ACL rule groups; k8s_dp's 8-bit pol_id holds {MaxId}");
        }

        var existing = Read(felix);
        var result = felix.ToBuilder();
        var kept = new HashSet<byte>();
        foreach (var (content, id) in existing)
        {
            if (plan.Groups.ContainsKey(content))
            {
                kept.Add(id);
            }
            else
            {
                result.Remove(Key(id));
            }
        }

        // Prefer an id no entry on the target carries yet; fall back to one this change frees.
        var ids = Enumerable.Range(1, MaxId).Select(i => (byte)i);
        var candidates = ids.Where(i => !existing.ContainsValue(i)).Concat(ids.Where(i => existing.ContainsValue(i) && !kept.Contains(i))).GetEnumerator();
        foreach (var content in plan.Groups.Keys.Where(c => !existing.ContainsKey(c)).Order(StringComparer.Ordinal))
        {
            // More groups than ids was refused above, so a candidate is left.
            candidates.MoveNext();
            result[Key(candidates.Current)] = ByteString.CopyFrom(Encoding.UTF8.GetBytes(content));
        }

        return result.ToImmutable();
    }

    private static string Key(byte id) => Kind + id.ToString("D3", CultureInfo.InvariantCulture);
}
