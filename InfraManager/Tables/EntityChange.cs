using Proto.P4.V1;

namespace InfraManager.Tables;

/// <summary>One entity going from <see cref="Before"/> to <see cref="After"/> (null: absent) on the target.</summary>
internal sealed record EntityChange(EntityKey Key, Entity? Before, Entity? After)
{
    public Update.Types.Type Type => (Before, After) switch
    {
        (null, not null) => Update.Types.Type.Insert,
        (not null, null) => Update.Types.Type.Delete,
        _ => Update.Types.Type.Modify,
    };

    /// <summary>The P4Runtime update that makes the change (a delete carries the key only, as the Go client sends it).</summary>
    public Update ToUpdate()
    {
        var entity = After ?? Before ?? throw new InvalidOperationException("a change needs a before or an after");
        if (After is null && entity.EntityCase == Entity.EntityOneofCase.TableEntry)
        {
            var key = new TableEntry { TableId = entity.TableEntry.TableId, Priority = entity.TableEntry.Priority };
            key.Match.Add(entity.TableEntry.Match);
            entity = new Entity { TableEntry = key };
        }

        return new Update { Type = Type, Entity = entity };
    }

    /// <summary>The change that undoes this one.</summary>
    public EntityChange Inverse() => new(Key, After, Before);
}
