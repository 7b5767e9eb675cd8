using System.Globalization;
using System.Text;
using Google.Protobuf;
using Grpc.Core;
using P4Pipeline;
using Proto.P4.Config.V1;
using Proto.P4.V1;
using Action = Proto.P4.V1.Action;

namespace SoftTarget.Runtime;

/// <summary>
/// Checks entities against the P4Info (p4runtime-semantics.md: ids, match kinds, widths, allowed
/// actions, parameters, priorities) and compiles them into keys and actions. Refusals carry the
/// canonical code and a message that names the offending table, field or action.
/// </summary>
internal static class EntityCompiler
{
    /// <summary>Checks the entry's key and returns it packed; <paramref name="entry"/> itself becomes the canonical entry (its match fields replaced).</summary>
    public static (TableState Table, EntryKey Key, TableEntry Canonical) CompileKey(ForwardingPipeline pipeline, TableEntry entry)
    {
        if (!pipeline.Tables.TryGetValue(entry.TableId, out var table))
        {
            throw Invalid($"table id {entry.TableId} is not in the P4Info");
        }

        var info = table.Info;
        var canonical = entry;
        if (entry.IsDefaultAction)
        {
            if (entry.Match.Count > 0)
            {
                throw Invalid($"{info.Name}: a default entry has no match fields");
            }

            return (table, default, canonical);
        }

        if (info.NeedsPriority ? entry.Priority <= 0 : entry.Priority != 0)
        {
            throw Invalid(info.NeedsPriority
                ? $"{info.Name}: entries of a table with ternary, range or optional fields need a priority > 0"
                : $"{info.Name}: entries of an exact/LPM table have no priority (got {entry.Priority})");
        }

        // The written fields by their position in the P4Info key.
        var byPosition = new FieldMatch?[info.MatchFields.Count];
        var present = 0;
        foreach (var match in entry.Match)
        {
            var position = Position(info, match.FieldId);
            if (position < 0)
            {
                throw Invalid($"{info.Name}: match field id {match.FieldId} is not in the table");
            }

            if (byPosition[position] is not null)
            {
                throw Invalid($"{info.Name}: match field {info.MatchFields[position].Name} appears twice");
            }

            byPosition[position] = match;
            present++;
        }

        canonical.Match.Clear();

        // Exact keys up to 128 bits pack into a number; anything else also gets a canonical text key.
        var exactOnly = info.AllExact && info.KeyBits <= 128 && present == info.MatchFields.Count;
        UInt128 packed = 0;
        var wide = exactOnly ? null : new StringBuilder();
        for (var position = 0; position < byPosition.Length; position++)
        {
            var field = info.MatchFields[position];
            var match = byPosition[position];
            if (match is null)
            {
                if (field.MatchType == MatchField.Types.MatchType.Exact)
                {
                    throw Invalid($"{info.Name}: exact match field {field.Name} is missing");
                }

                wide?.Append(CultureInfo.InvariantCulture, $"{field.Id}:*;");
                continue;
            }

            var normalized = Check(info, field, match);
            canonical.Match.Add(normalized);
            if (exactOnly)
            {
                packed = (packed << field.BitWidth) | P4Bytes.ToUInt128(normalized.Exact.Value.Span);
            }
            else
            {
                wide!.Append(CultureInfo.InvariantCulture, $"{field.Id}:{normalized.ToByteString().ToBase64()};"); // set when not exact-only
            }
        }

        var key = exactOnly
            ? new EntryKey(packed, null)
            : new EntryKey(0, wide!.Append(CultureInfo.InvariantCulture, $"p{entry.Priority}").ToString());
        return (table, key, canonical);
    }

    /// <summary>The action of a table entry being inserted or modified.</summary>
    public static EntryAction CompileTableAction(ForwardingPipeline pipeline, TableInfo table, TableEntry entry)
    {
        if (entry.Action is null || entry.Action.TypeCase == TableAction.TypeOneofCase.None)
        {
            throw Invalid($"{table.Name}: the entry has no action");
        }

        switch (entry.Action.TypeCase)
        {
            case TableAction.TypeOneofCase.Action:
                if (table.ImplementationId != 0 && !entry.IsDefaultAction)
                {
                    throw Invalid($"{table.Name}: the table is implemented by an action profile; give a member or group id");
                }

                var action = entry.Action.Action;
                if (!table.Actions.TryGetValue(action.ActionId, out var scope))
                {
                    throw Invalid($"{table.Name}: action id {action.ActionId} is not an action of the table");
                }

                if (entry.IsDefaultAction ? scope == ActionRef.Types.Scope.TableOnly : scope == ActionRef.Types.Scope.DefaultOnly)
                {
                    throw Invalid($"{table.Name}: action {pipeline.Index.Actions[action.ActionId].Name} is {(entry.IsDefaultAction ? "table-only" : "default-only")} here");
                }

                return CompileAction(pipeline.Index, action);
            case TableAction.TypeOneofCase.ActionProfileMemberId or TableAction.TypeOneofCase.ActionProfileGroupId:
                if (table.ImplementationId == 0)
                {
                    throw Invalid($"{table.Name}: the table has no action profile; give an action");
                }

                if (entry.Action.TypeCase == TableAction.TypeOneofCase.ActionProfileGroupId && !pipeline.Profiles[table.ImplementationId].Info.WithSelector)
                {
                    throw Invalid($"{table.Name}: its action profile has no selector, so no groups");
                }

                return entry.Action.TypeCase == TableAction.TypeOneofCase.ActionProfileMemberId
                    ? EntryAction.Member(entry.Action.ActionProfileMemberId)
                    : EntryAction.Group(entry.Action.ActionProfileGroupId);
            default:
                throw new P4UpdateException(StatusCode.Unimplemented, $"{table.Name}: one-shot action selector programming is not supported");
        }
    }

    /// <summary>Checks the action against the P4Info and compiles it; its parameter values become canonical in place.</summary>
    public static EntryAction CompileAction(P4InfoIndex index, Action action)
    {
        if (!index.Actions.TryGetValue(action.ActionId, out var info))
        {
            throw Invalid($"action id {action.ActionId} is not in the P4Info");
        }

        var values = new ulong[info.Params.Count];
        var seen = new bool[info.Params.Count];
        foreach (var param in action.Params)
        {
            var position = -1;
            for (var i = 0; i < info.Params.Count; i++)
            {
                if (info.Params[i].Id == param.ParamId)
                {
                    position = i;
                }
            }

            if (position < 0)
            {
                throw Invalid($"action {info.Name}: parameter id {param.ParamId} is not a parameter of the action");
            }

            var declared = info.Params[position];
            if (seen[position])
            {
                throw Invalid($"action {info.Name}: parameter {declared.Name} appears twice");
            }

            if (!P4Bytes.FitsWidth(param.Value.Span, declared.BitWidth))
            {
                throw Invalid($"action {info.Name}: parameter {declared.Name} needs a value of at most {declared.BitWidth} bits (got {param.Value.Length} bytes{(param.Value.IsEmpty ? ", empty" : string.Empty)})");
            }

            if (declared.BitWidth > 64)
            {
                throw new P4UpdateException(StatusCode.Unimplemented, $"action {info.Name}: parameter {declared.Name} is wider than 64 bits");
            }

            seen[position] = true;
            values[position] = P4Bytes.ToUInt64(param.Value.Span);

            // Stored and read back canonical, however it was padded (an 8-bit value sent as two bytes, say).
            if (param.Value.Length > 1 && param.Value.Span[0] == 0)
            {
                param.Value = P4Bytes.Canonical(param.Value.Span);
            }
        }

        for (var i = 0; i < seen.Length; i++)
        {
            if (!seen[i])
            {
                throw Invalid($"action {info.Name}: parameter {info.Params[i].Name} is missing");
            }
        }

        return new EntryAction(EntryActionKind.Action, info.Id, values);
    }

    private static FieldMatch Check(TableInfo table, MatchFieldInfo field, FieldMatch match)
    {
        var kind = match.FieldMatchTypeCase switch
        {
            FieldMatch.FieldMatchTypeOneofCase.Exact => MatchField.Types.MatchType.Exact,
            FieldMatch.FieldMatchTypeOneofCase.Lpm => MatchField.Types.MatchType.Lpm,
            FieldMatch.FieldMatchTypeOneofCase.Ternary => MatchField.Types.MatchType.Ternary,
            FieldMatch.FieldMatchTypeOneofCase.Range => MatchField.Types.MatchType.Range,
            FieldMatch.FieldMatchTypeOneofCase.Optional => MatchField.Types.MatchType.Optional,
            _ => MatchField.Types.MatchType.Unspecified,
        };
        if (kind != field.MatchType)
        {
            throw Invalid($"{table.Name}: match field {field.Name} is {field.MatchType}, not {kind}");
        }

        var result = new FieldMatch { FieldId = field.Id };
        switch (kind)
        {
            case MatchField.Types.MatchType.Exact:
                result.Exact = new FieldMatch.Types.Exact { Value = Fit(table, field, match.Exact.Value) };
                break;
            case MatchField.Types.MatchType.Lpm:
                var prefix = match.Lpm.PrefixLen;
                if (prefix <= 0 || prefix > field.BitWidth)
                {
                    throw Invalid($"{table.Name}: match field {field.Name} prefix length {prefix} is outside 1..{field.BitWidth} (a don't-care LPM field is omitted)");
                }

                var lpm = Fit(table, field, match.Lpm.Value);
                var value = P4Bytes.ToUInt128(lpm.Span);
                if ((value & (((UInt128)1 << (field.BitWidth - prefix)) - 1)) != 0)
                {
                    throw Invalid($"{table.Name}: match field {field.Name} has bits set beyond its /{prefix} prefix");
                }

                result.Lpm = new FieldMatch.Types.LPM { Value = lpm, PrefixLen = prefix };
                break;
            case MatchField.Types.MatchType.Ternary:
                var ternaryValue = Fit(table, field, match.Ternary.Value);
                var mask = Fit(table, field, match.Ternary.Mask);
                if ((P4Bytes.ToUInt128(ternaryValue.Span) & ~P4Bytes.ToUInt128(mask.Span)) != 0)
                {
                    throw Invalid($"{table.Name}: match field {field.Name} has value bits outside its mask");
                }

                result.Ternary = new FieldMatch.Types.Ternary { Value = ternaryValue, Mask = mask };
                break;
            case MatchField.Types.MatchType.Range:
                var low = Fit(table, field, match.Range.Low);
                var high = Fit(table, field, match.Range.High);
                if (P4Bytes.ToUInt128(low.Span) > P4Bytes.ToUInt128(high.Span))
                {
                    throw Invalid($"{table.Name}: match field {field.Name} range low is above high");
                }

                result.Range = new FieldMatch.Types.Range { Low = low, High = high };
                break;
            default:
                result.Optional = new FieldMatch.Types.Optional { Value = Fit(table, field, match.Optional.Value) };
                break;
        }

        return result;
    }

    private static ByteString Fit(TableInfo table, MatchFieldInfo field, ByteString value)
    {
        if (!P4Bytes.FitsWidth(value.Span, field.BitWidth))
        {
            throw Invalid($"{table.Name}: match field {field.Name} needs a value of at most {field.BitWidth} bits (got {value.Length} bytes{(value.IsEmpty ? ", empty" : string.Empty)})");
        }

        return value.Length == 1 || value.Span[0] != 0 ? value : P4Bytes.Canonical(value.Span);
    }

    private static int Position(TableInfo table, uint fieldId)
    {
        for (var i = 0; i < table.MatchFields.Count; i++)
        {
            if (table.MatchFields[i].Id == fieldId)
            {
                return i;
            }
        }

        return -1;
    }

    private static P4UpdateException Invalid(string message) => new(StatusCode.InvalidArgument, message);
}
