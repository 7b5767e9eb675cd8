namespace InfraManager.Tables;

/// <summary>The kinds of P4Runtime entities the manager writes.</summary>
internal enum EntityKind
{
    TableEntry,
    ActionProfileMember,
    ActionProfileGroup,
}
