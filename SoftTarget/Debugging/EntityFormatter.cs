using System.Globalization;
using System.Text;
using P4Pipeline;
using Proto.P4.V1;

namespace SoftTarget.Debugging;

/// <summary>Entities as one readable line each, by P4 name: IPv4 fields as addresses, 48-bit values as MACs.</summary>
internal static class EntityFormatter
{
    public static string Format(P4InfoIndex index, Entity entity) => entity.EntityCase switch
    {
        Entity.EntityOneofCase.TableEntry => FormatEntry(index, entity.TableEntry),
        Entity.EntityOneofCase.ActionProfileMember => FormatMember(index, entity.ActionProfileMember),
        Entity.EntityOneofCase.ActionProfileGroup => FormatGroup(index, entity.ActionProfileGroup),
        _ => entity.ToString(),
    };

    private static string FormatEntry(P4InfoIndex index, TableEntry entry)
    {
        var table = index.Tables[entry.TableId];
        var line = new StringBuilder(Name(table.Alias, table.Name));
        foreach (var match in entry.Match)
        {
            var field = table.FindField(match.FieldId);
            var value = match.FieldMatchTypeCase switch
            {
                FieldMatch.FieldMatchTypeOneofCase.Exact => Value(field?.Name, field?.BitWidth ?? 0, match.Exact.Value.Span),
                FieldMatch.FieldMatchTypeOneofCase.Lpm => $"{Value(field?.Name, field?.BitWidth ?? 0, match.Lpm.Value.Span)}/{match.Lpm.PrefixLen}",
                _ => match.ToString(),
            };
            line.Append(CultureInfo.InvariantCulture, $" {field?.Name ?? match.FieldId.ToString(CultureInfo.InvariantCulture)}={value}");
        }

        line.Append(" -> ");
        line.Append(entry.Action?.TypeCase switch
        {
            TableAction.TypeOneofCase.Action => FormatAction(index, entry.Action.Action),
            TableAction.TypeOneofCase.ActionProfileGroupId => $"group {entry.Action.ActionProfileGroupId}",
            TableAction.TypeOneofCase.ActionProfileMemberId => $"member {entry.Action.ActionProfileMemberId}",
            _ => "(none)",
        });
        return line.ToString();
    }

    private static string FormatMember(P4InfoIndex index, ActionProfileMember member)
    {
        var profile = index.ActionProfiles[member.ActionProfileId];
        return $"{Name(profile.Alias, profile.Name)} member {member.MemberId} -> {FormatAction(index, member.Action)}";
    }

    private static string FormatGroup(P4InfoIndex index, ActionProfileGroup group)
    {
        var profile = index.ActionProfiles[group.ActionProfileId];
        return $"{Name(profile.Alias, profile.Name)} group {group.GroupId} -> members {string.Join(' ', group.Members.Select(m => m.MemberId))}";
    }

    private static string FormatAction(P4InfoIndex index, Proto.P4.V1.Action action)
    {
        var info = index.Actions[action.ActionId];
        var parameters = action.Params.Select(p =>
        {
            var declared = info.FindParam(p.ParamId);
            return $"{declared?.Name}={Value(declared?.Name, declared?.BitWidth ?? 0, p.Value.Span)}";
        });
        return $"{Name(info.Alias, info.Name)}({string.Join(", ", parameters)})";
    }

    private static string Value(string? name, int bitWidth, ReadOnlySpan<byte> bytes)
    {
        var value = P4Bytes.ToUInt64(bytes);
        var lower = name?.ToLowerInvariant() ?? string.Empty;
        if (bitWidth == 32 && (lower.Contains("addr", StringComparison.Ordinal) || lower.Contains("ip", StringComparison.Ordinal) || lower.EndsWith("tpa", StringComparison.Ordinal)))
        {
            return $"{value >> 24}.{(value >> 16) & 0xff}.{(value >> 8) & 0xff}.{value & 0xff}";
        }

        return bitWidth == 48
            ? string.Join(':', Enumerable.Range(0, 6).Select(i => ((value >> (40 - (8 * i))) & 0xff).ToString("x2", CultureInfo.InvariantCulture)))
            : value.ToString(CultureInfo.InvariantCulture);
    }

    private static string Name(string alias, string name) => string.IsNullOrEmpty(alias) ? name : alias;
}
