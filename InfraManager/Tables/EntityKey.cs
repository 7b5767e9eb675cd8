using System.Buffers.Binary;
using Google.Protobuf;
using P4Pipeline;
using Proto.P4.V1;

namespace InfraManager.Tables;

/// <summary>
/// What identifies an entity on the target: a table id and its match (canonical values, by field
/// id), or an action profile id and a member or group id. Two entities with the same key are the
/// same object on the target, whatever their action.
/// </summary>
internal readonly record struct EntityKey(EntityKind Kind, uint Id, ByteString Match)
{
    public static EntityKey Of(Entity entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        switch (entity.EntityCase)
        {
            case Entity.EntityOneofCase.TableEntry:
                var entry = entity.TableEntry;
                var bytes = new List<byte>(16);
                Span<byte> header = stackalloc byte[8];
                foreach (var field in entry.Match.OrderBy(m => m.FieldId))
                {
                    // Length-prefixed per field, so (1, 23) and (12, 3) differ.
                    var value = field.FieldMatchTypeCase switch
                    {
                        FieldMatch.FieldMatchTypeOneofCase.Exact => P4Bytes.Canonical(field.Exact.Value.Span),
                        FieldMatch.FieldMatchTypeOneofCase.Lpm => new FieldMatch.Types.LPM { Value = P4Bytes.Canonical(field.Lpm.Value.Span), PrefixLen = field.Lpm.PrefixLen }.ToByteString(),
                        _ => field.ToByteString(),
                    };
                    BinaryPrimitives.WriteUInt32BigEndian(header, field.FieldId);
                    BinaryPrimitives.WriteUInt32BigEndian(header[4..], (uint)value.Length);
                    bytes.AddRange(header);
                    bytes.AddRange(value.Span);
                }

                return new EntityKey(EntityKind.TableEntry, entry.TableId, ByteString.CopyFrom([.. bytes]));
            case Entity.EntityOneofCase.ActionProfileMember:
                return new EntityKey(EntityKind.ActionProfileMember, entity.ActionProfileMember.ActionProfileId, IdBytes(entity.ActionProfileMember.MemberId));
            case Entity.EntityOneofCase.ActionProfileGroup:
                return new EntityKey(EntityKind.ActionProfileGroup, entity.ActionProfileGroup.ActionProfileId, IdBytes(entity.ActionProfileGroup.GroupId));
            default:
                throw new ArgumentException($"the manager does not write {entity.EntityCase} entities", nameof(entity));
        }
    }

    private static ByteString IdBytes(uint id)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, id);
        return ByteString.CopyFrom(bytes);
    }
}
