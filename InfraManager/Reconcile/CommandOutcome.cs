namespace InfraManager.Reconcile;

/// <summary>What became of a request: applied (or nothing to do), or failed with a message for the agent.</summary>
internal sealed record CommandOutcome(bool Succeeded, bool Changed, string Error)
{
    public static CommandOutcome Applied { get; } = new(true, true, string.Empty);

    public static CommandOutcome Unchanged { get; } = new(true, false, string.Empty);

    public static CommandOutcome Failed(string error) => new(false, false, error);
}
