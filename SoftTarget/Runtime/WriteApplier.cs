using Grpc.Core;
using Proto.P4.V1;
using Action = System.Action;

namespace SoftTarget.Runtime;

/// <summary>
/// Applies one update under the device's write gate, after all of its checks passed, and records
/// how to undo it (for ROLLBACK_ON_ERROR). References between entries, groups and members are
/// counted so nothing is deleted while something still points at it.
/// </summary>
internal sealed class WriteApplier
{
    private readonly ForwardingPipeline _pipeline;
    private readonly List<Action>? _undo;

    /// <param name="undo">Where to record undo steps; null when the batch will not be rolled back.</param>
    public WriteApplier(ForwardingPipeline pipeline, List<Action>? undo)
    {
        _pipeline = pipeline;
        _undo = undo;
    }

    public void Apply(Update update)
    {
        if (update.Type is not (Update.Types.Type.Insert or Update.Types.Type.Modify or Update.Types.Type.Delete))
        {
            throw new P4UpdateException(StatusCode.InvalidArgument, $"type: {update.Type} is not INSERT, MODIFY or DELETE");
        }

        switch (update.Entity?.EntityCase)
        {
            case Entity.EntityOneofCase.TableEntry:
                ApplyTableEntry(update.Type, update.Entity.TableEntry);
                break;
            case Entity.EntityOneofCase.ActionProfileMember:
                ApplyMember(update.Type, update.Entity.ActionProfileMember);
                break;
            case Entity.EntityOneofCase.ActionProfileGroup:
                ApplyGroup(update.Type, update.Entity.ActionProfileGroup);
                break;
            case null or Entity.EntityOneofCase.None:
                throw new P4UpdateException(StatusCode.InvalidArgument, "entity: missing");
            default:
                throw new P4UpdateException(StatusCode.Unimplemented, $"writing {update.Entity.EntityCase} is not supported");
        }
    }

    private void ApplyTableEntry(Update.Types.Type type, TableEntry entry)
    {
        var (table, key, canonical) = EntityCompiler.CompileKey(_pipeline, entry);
        var info = table.Info;
        if (entry.IdleTimeoutNs != 0 && !info.IdleTimeoutNotify)
        {
            throw new P4UpdateException(StatusCode.InvalidArgument, $"{info.Name}: the table does not support idle timeouts");
        }

        if (entry.IsDefaultAction)
        {
            if (type != Update.Types.Type.Modify)
            {
                throw new P4UpdateException(StatusCode.InvalidArgument, $"{info.Name}: the default entry can only be modified");
            }

            if (info.ConstDefaultActionId != 0)
            {
                throw new P4UpdateException(StatusCode.PermissionDenied, $"{info.Name}: the default action is const");
            }

            var defaultAction = EntityCompiler.CompileTableAction(_pipeline, info, entry);
            var previous = table.DefaultEntry;
            table.DefaultEntry = new StoredEntry(canonical, defaultAction);
            _undo?.Add(() => table.DefaultEntry = previous);
            return;
        }

        table.Entries.TryGetValue(key, out var existing);
        switch (type)
        {
            case Update.Types.Type.Insert:
                if (existing is not null)
                {
                    throw new P4UpdateException(StatusCode.AlreadyExists, $"{info.Name}: an entry with this key exists");
                }

                if (info.Size > 0 && table.Count >= info.Size)
                {
                    throw new P4UpdateException(StatusCode.ResourceExhausted, $"{info.Name}: the table is full ({info.Size} entries)");
                }

                var action = EntityCompiler.CompileTableAction(_pipeline, info, entry);
                Reference(info.ImplementationId, action, +1);
                var inserted = new StoredEntry(canonical, action);
                table.TryAdd(key, inserted);
                _undo?.Add(() =>
                {
                    table.TryRemove(key, out _);
                    Reference(info.ImplementationId, action, -1);
                });
                break;
            case Update.Types.Type.Modify:
                if (existing is null)
                {
                    throw new P4UpdateException(StatusCode.NotFound, $"{info.Name}: no entry with this key");
                }

                var modified = EntityCompiler.CompileTableAction(_pipeline, info, entry);
                Reference(info.ImplementationId, modified, +1);
                Reference(info.ImplementationId, existing.Action, -1);
                table.Replace(key, new StoredEntry(canonical, modified));
                _undo?.Add(() =>
                {
                    table.Replace(key, existing);
                    Reference(info.ImplementationId, existing.Action, +1);
                    Reference(info.ImplementationId, modified, -1);
                });
                break;
            default:
                if (existing is null)
                {
                    throw new P4UpdateException(StatusCode.NotFound, $"{info.Name}: no entry with this key");
                }

                table.TryRemove(key, out _);
                Reference(info.ImplementationId, existing.Action, -1);
                _undo?.Add(() =>
                {
                    table.TryAdd(key, existing);
                    Reference(info.ImplementationId, existing.Action, +1);
                });
                break;
        }
    }

    /// <summary>Counts (or, for +1, first checks) the member or group an entry points at.</summary>
    private void Reference(uint profileId, EntryAction action, int delta)
    {
        if (action.Kind == EntryActionKind.Action)
        {
            return;
        }

        var profile = _pipeline.Profiles[profileId];
        if (action.Kind == EntryActionKind.Member)
        {
            if (!profile.Members.TryGetValue(action.Id, out var member))
            {
                throw new P4UpdateException(StatusCode.NotFound, $"{profile.Info.Name}: member {action.Id} does not exist");
            }

            member.References += delta;
        }
        else
        {
            if (!profile.Groups.TryGetValue(action.Id, out var group))
            {
                throw new P4UpdateException(StatusCode.NotFound, $"{profile.Info.Name}: group {action.Id} does not exist");
            }

            group.References += delta;
        }
    }

    private ActionProfileState Profile(uint id) =>
        _pipeline.Profiles.TryGetValue(id, out var profile)
            ? profile
            : throw new P4UpdateException(StatusCode.InvalidArgument, $"action profile id {id} is not in the P4Info");

    private void ApplyMember(Update.Types.Type type, ActionProfileMember written)
    {
        var profile = Profile(written.ActionProfileId);
        var name = profile.Info.Name;
        profile.Members.TryGetValue(written.MemberId, out var existing);
        if (type == Update.Types.Type.Delete)
        {
            if (existing is null)
            {
                throw new P4UpdateException(StatusCode.NotFound, $"{name}: member {written.MemberId} does not exist");
            }

            if (existing.References > 0)
            {
                throw new P4UpdateException(StatusCode.FailedPrecondition, $"{name}: member {written.MemberId} is still used by {existing.References} group(s) or entries");
            }

            profile.Members.TryRemove(written.MemberId, out _);
            _undo?.Add(() => profile.Members[written.MemberId] = existing);
            return;
        }

        if (written.Action is null)
        {
            throw new P4UpdateException(StatusCode.InvalidArgument, $"{name}: member {written.MemberId} has no action");
        }

        var action = EntityCompiler.CompileAction(_pipeline.Index, written.Action);
        if (!profile.Info.TableIds.Any(t => _pipeline.Index.Tables.TryGetValue(t, out var table) && table.Actions.TryGetValue(action.Id, out var scope) && scope != Proto.P4.Config.V1.ActionRef.Types.Scope.DefaultOnly))
        {
            throw new P4UpdateException(StatusCode.InvalidArgument, $"{name}: action {_pipeline.Index.Actions[action.Id].Name} is not an action of the profile's tables");
        }

        var canonical = written.Clone();
        if (type == Update.Types.Type.Insert)
        {
            if (existing is not null)
            {
                throw new P4UpdateException(StatusCode.AlreadyExists, $"{name}: member {written.MemberId} exists");
            }

            if (profile.Info.Size > 0 && profile.Members.Count >= profile.Info.Size)
            {
                throw new P4UpdateException(StatusCode.ResourceExhausted, $"{name}: the profile is full ({profile.Info.Size} members)");
            }

            profile.Members[written.MemberId] = new ProfileMember(canonical, action);
            _undo?.Add(() => profile.Members.TryRemove(written.MemberId, out _));
            return;
        }

        if (existing is null)
        {
            throw new P4UpdateException(StatusCode.NotFound, $"{name}: member {written.MemberId} does not exist");
        }

        var (oldWritten, oldAction) = (existing.Written, existing.Action);
        existing.Written = canonical;
        existing.Action = action;
        _undo?.Add(() =>
        {
            existing.Written = oldWritten;
            existing.Action = oldAction;
        });
    }

    private void ApplyGroup(Update.Types.Type type, ActionProfileGroup written)
    {
        var profile = Profile(written.ActionProfileId);
        var name = profile.Info.Name;
        if (!profile.Info.WithSelector)
        {
            throw new P4UpdateException(StatusCode.InvalidArgument, $"{name}: the profile has no selector, so no groups");
        }

        profile.Groups.TryGetValue(written.GroupId, out var existing);
        if (type == Update.Types.Type.Delete)
        {
            if (existing is null)
            {
                throw new P4UpdateException(StatusCode.NotFound, $"{name}: group {written.GroupId} does not exist");
            }

            if (existing.References > 0)
            {
                throw new P4UpdateException(StatusCode.FailedPrecondition, $"{name}: group {written.GroupId} is still used by {existing.References} table entries");
            }

            profile.Groups.TryRemove(written.GroupId, out _);
            Count(existing.Written, profile, -1);
            _undo?.Add(() =>
            {
                profile.Groups[written.GroupId] = existing;
                Count(existing.Written, profile, +1);
            });
            return;
        }

        var buckets = Buckets(profile, written);
        var canonical = written.Clone();
        if (type == Update.Types.Type.Insert)
        {
            if (existing is not null)
            {
                throw new P4UpdateException(StatusCode.AlreadyExists, $"{name}: group {written.GroupId} exists");
            }

            if (profile.Info.Size > 0 && profile.Groups.Count >= profile.Info.Size)
            {
                throw new P4UpdateException(StatusCode.ResourceExhausted, $"{name}: no room for another group ({profile.Info.Size})");
            }

            profile.Groups[written.GroupId] = new ProfileGroup(canonical, buckets);
            Count(canonical, profile, +1);
            _undo?.Add(() =>
            {
                profile.Groups.TryRemove(written.GroupId, out _);
                Count(canonical, profile, -1);
            });
            return;
        }

        if (existing is null)
        {
            throw new P4UpdateException(StatusCode.NotFound, $"{name}: group {written.GroupId} does not exist");
        }

        var (oldWritten, oldBuckets) = (existing.Written, existing.Buckets);
        Count(canonical, profile, +1);
        Count(oldWritten, profile, -1);
        existing.Written = canonical;
        existing.Buckets = buckets;
        _undo?.Add(() =>
        {
            Count(oldWritten, profile, +1);
            Count(canonical, profile, -1);
            existing.Written = oldWritten;
            existing.Buckets = oldBuckets;
        });
    }

    private static ProfileMember[] Buckets(ActionProfileState profile, ActionProfileGroup group)
    {
        var name = profile.Info.Name;
        var seen = new HashSet<uint>();
        var buckets = new List<ProfileMember>();
        foreach (var member in group.Members)
        {
            if (!seen.Add(member.MemberId))
            {
                throw new P4UpdateException(StatusCode.InvalidArgument, $"{name}: group {group.GroupId} lists member {member.MemberId} twice");
            }

            if (member.Weight < 0)
            {
                throw new P4UpdateException(StatusCode.InvalidArgument, $"{name}: group {group.GroupId} member {member.MemberId} has a negative weight");
            }

            if (!profile.Members.TryGetValue(member.MemberId, out var state))
            {
                throw new P4UpdateException(StatusCode.NotFound, $"{name}: group {group.GroupId} refers to member {member.MemberId}, which does not exist");
            }

            // An unset weight counts as 1, as infrap4d takes the Go manager's groups.
            for (var i = 0; i < Math.Max(1, member.Weight); i++)
            {
                buckets.Add(state);
            }
        }

        // Without max_group_size a group is bounded by the profile's size (P4Info ActionProfile).
        var limit = profile.Info.MaxGroupSize > 0 ? profile.Info.MaxGroupSize : (int)Math.Min(profile.Info.Size, int.MaxValue);
        if (limit > 0 && group.MaxSize > limit)
        {
            throw new P4UpdateException(StatusCode.ResourceExhausted, $"{name}: group {group.GroupId} max_size {group.MaxSize} exceeds the profile's max group size {limit}");
        }

        if ((limit > 0 && buckets.Count > limit) || (group.MaxSize > 0 && buckets.Count > group.MaxSize))
        {
            throw new P4UpdateException(StatusCode.ResourceExhausted, $"{name}: group {group.GroupId} has {buckets.Count} member weights, more than its maximum {(group.MaxSize > 0 ? group.MaxSize : limit)}");
        }

        return [.. buckets];
    }

    private static void Count(ActionProfileGroup group, ActionProfileState profile, int delta)
    {
        foreach (var member in group.Members)
        {
            profile.Members[member.MemberId].References += delta;
        }
    }
}
