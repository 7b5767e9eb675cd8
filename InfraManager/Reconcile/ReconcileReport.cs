namespace InfraManager.Reconcile;

/// <summary>What a reconcile found and did.</summary>
internal sealed record ReconcileReport(int Wanted, int Present, int Missing, int Stale, int Wrong, TimeSpan Elapsed)
{
    public int Repairs => Missing + Stale + Wrong;
}
