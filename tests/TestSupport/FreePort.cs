using System.Net;
using System.Net.Sockets;

namespace TestSupport;

/// <summary>
/// A loopback TCP port nobody listens on right now, for a daemon that takes its address from flags.
/// Taken below the kernel's ephemeral range (32768-60999 by default): a port the kernel handed out for
/// the check could be handed to another process's connection before the daemon binds it (seen with
/// test projects running side by side). Each process walks the range from its own random start.
/// </summary>
public static class FreePort
{
    private const int First = 20000;
    private const int Count = 12000;

    private static int s_next = Random.Shared.Next(Count);

    public static int Next()
    {
        for (var attempt = 0; attempt < Count; attempt++)
        {
            var port = First + (Interlocked.Increment(ref s_next) % Count);
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // In use: try the next one.
            }
        }

        throw new InvalidOperationException($"no free loopback port in {First}-{First + Count - 1}");
    }
}
