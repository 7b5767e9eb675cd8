using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace ArpProxy.Tests.Namespaces;

/// <summary>
/// Runs code on a thread of its own that has joined a named network namespace (setns acts on the
/// calling thread only). A socket opened there stays in that namespace for its whole life.
/// </summary>
internal static partial class NamespaceThread
{
    private const int CloneNewNet = 0x40000000;

    public static T Run<T>(string networkNamespace, Func<T> action)
    {
        T result = default!; // assigned unless error is set
        ExceptionDispatchInfo? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                using (var handle = File.OpenHandle(Path.Combine("/run/netns", networkNamespace)))
                {
                    if (SetNs(handle, CloneNewNet) != 0)
                    {
                        throw new IOException($"setns {networkNamespace}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
                    }
                }

                result = action();
            }
            catch (Exception e)
            {
                error = ExceptionDispatchInfo.Capture(e);
            }
        });
        thread.Start();
        thread.Join();
        error?.Throw();
        return result;
    }

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNs(SafeFileHandle fd, int namespaceType);
}
