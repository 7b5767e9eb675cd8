using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using Netlink.Interop;
using Packets;

namespace Netlink;

/// <summary>
/// Runs work on a new thread that has entered a network namespace. setns(2) moves only the calling
/// thread, so the work never runs on a pool thread (another caller would inherit the namespace); the
/// thread goes back to its namespace afterwards and then ends.
/// </summary>
internal static class NamespaceThread
{
    /// <summary>Runs <paramref name="work"/> inside <paramref name="target"/> and waits for it.</summary>
    public static T Run<T>(NetworkNamespaceHandle target, Func<T> work)
    {
        T result = default!; // set whenever failure is null
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                result = Enter(target, work);
            }
            catch (Exception exception)
            {
                failure = ExceptionDispatchInfo.Capture(exception);
            }
        })
        {
            IsBackground = true,
            Name = "netns",
        };
        thread.Start();
        thread.Join();
        failure?.Throw();
        return result;
    }

    /// <summary>Starts <paramref name="work"/> inside the namespace <paramref name="openTarget"/> opens (on the new thread).</summary>
    public static Task<T> Start<T>(Func<NetworkNamespaceHandle> openTarget, bool ownsTarget, Func<T> work)
    {
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                var target = openTarget();
                try
                {
                    completion.SetResult(Enter(target, work));
                }
                finally
                {
                    if (ownsTarget)
                    {
                        target.Dispose();
                    }
                }
            }
            catch (Exception exception)
            {
                completion.SetException(exception);
            }
        })
        {
            IsBackground = true,
            Name = "netns",
        };
        thread.Start();
        return completion.Task;
    }

    private static T Enter<T>(NetworkNamespaceHandle target, Func<T> work)
    {
        using var original = NetworkNamespaceHandle.OpenThreadNamespace();
        SetNamespace(target.SafeFileHandle, target.Path);
        try
        {
            return work();
        }
        finally
        {
            // Best effort: the thread ends right after, so a failure here strands nothing.
            LibC.SetNamespace(original.SafeFileHandle, LibC.CLONE_NEWNET);
        }
    }

    private static void SetNamespace(SafeHandle fd, string path)
    {
        if (LibC.SetNamespace(fd, LibC.CLONE_NEWNET) != 0)
        {
            throw new NativeIOException($"setns {path}", Marshal.GetLastPInvokeError());
        }
    }
}
