namespace Netlink;

/// <summary>
/// Runs synchronous work inside a network namespace, on a dedicated thread that entered it with setns(2),
/// handing it a <see cref="RouteNetlinkClient"/> opened there. Anything else the work does on that thread
/// (open a socket, read /proc/thread-self/net) also happens in the namespace.
/// <para>
/// The work must be synchronous: an awaited continuation would resume on a pool thread outside the
/// namespace, so a delegate returning a task is refused. Cancellation only prevents the start; work
/// already inside the namespace runs to its end (each netlink call is bounded by the reply timeout),
/// so the caller always learns what was changed.
/// </para>
/// <para>
/// To call netlink in a namespace from any thread, <see cref="RouteNetlinkClient.OpenInNamespace(string)"/>
/// is simpler: a netlink socket stays in the namespace it was created in.
/// </para>
/// </summary>
public static class NetworkNamespaceRunner
{
    /// <exception cref="NetworkNamespaceNotFoundException">(In the task.) <paramref name="namespacePath"/> does not exist.</exception>
    public static Task<T> RunAsync<T>(string namespacePath, Func<RouteNetlinkClient, T> work, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(namespacePath);
        ArgumentNullException.ThrowIfNull(work);
        RefuseAsynchronous<T>();
        return cancellationToken.IsCancellationRequested
            ? Task.FromCanceled<T>(cancellationToken)
            : NamespaceThread.Start(() => NetworkNamespaceHandle.Open(namespacePath), ownsTarget: true, () => WithClient(work));
    }

    /// <exception cref="NetworkNamespaceNotFoundException">(In the task.) <paramref name="namespacePath"/> does not exist.</exception>
    public static Task RunAsync(string namespacePath, Action<RouteNetlinkClient> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        return RunAsync(
            namespacePath,
            client =>
            {
                work(client);
                return true;
            },
            cancellationToken);
    }

    /// <summary>Runs in the namespace <paramref name="target"/> holds; the caller keeps it open until the task ends.</summary>
    public static Task<T> RunAsync<T>(NetworkNamespaceHandle target, Func<RouteNetlinkClient, T> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(work);
        RefuseAsynchronous<T>();
        return cancellationToken.IsCancellationRequested
            ? Task.FromCanceled<T>(cancellationToken)
            : NamespaceThread.Start(() => target, ownsTarget: false, () => WithClient(work));
    }

    private static T WithClient<T>(Func<RouteNetlinkClient, T> work)
    {
        using var client = RouteNetlinkClient.Open();
        return work(client);
    }

    private static void RefuseAsynchronous<T>()
    {
        var type = typeof(T);
        if (typeof(Task).IsAssignableFrom(type) || type == typeof(ValueTask) || (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ValueTask<>)))
        {
            throw new ArgumentException("the work must be synchronous: its continuations would run outside the namespace", "work");
        }
    }
}
