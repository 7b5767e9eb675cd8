namespace SoftTarget.Runtime;

internal enum EntryActionKind
{
    Action,
    Member,
    Group,
}
