namespace TestSupport;

/// <summary>Every wait in a test is bounded.</summary>
public static class TaskTimeoutExtensions
{
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(30);

    public static Task DefaultTimeout(this Task task) => task.WaitAsync(Default);

    public static Task<T> DefaultTimeout<T>(this Task<T> task) => task.WaitAsync(Default);

    public static CancellationToken DefaultTimeoutToken() => new CancellationTokenSource(Default).Token;
}
