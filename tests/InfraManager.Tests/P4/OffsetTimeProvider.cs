namespace InfraManager.Tests.P4;

/// <summary>The system clock shifted by an offset (timers unchanged): two sessions made in the same millisecond get distinct election ids.</summary>
internal sealed class OffsetTimeProvider : TimeProvider
{
    private readonly TimeSpan _offset;

    public OffsetTimeProvider(TimeSpan offset)
    {
        _offset = offset;
    }

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + _offset;
}
