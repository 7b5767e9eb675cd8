using System.Net.Sockets;

namespace FelixApiProxy;

/// <summary>Dials the agent's unix socket, trying again while the agent is not listening yet.</summary>
internal static class AgentSocket
{
    /// <summary>
    /// Connects within <see cref="ProxyOptions.DialAttempts"/> tries, <see cref="ProxyOptions.DialInterval"/> apart;
    /// after the last failure an <see cref="IOException"/> carries the socket's path and the last reason.
    /// </summary>
    public static async Task<Socket> ConnectAsync(ProxyOptions options, TimeProvider time, Action<string> log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        var endpoint = new UnixDomainSocketEndPoint(options.SocketPath);
        for (var attempt = 1; ; attempt++)
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(endpoint, cancellationToken);
                return socket;
            }
            catch (SocketException e)
            {
                socket.Dispose();
                if (attempt >= options.DialAttempts)
                {
                    throw new IOException($"Could not open socket to agent at {options.SocketPath} after {attempt} attempts: {e.Message}", e);
                }

                log($"agent socket {options.SocketPath} not ready ({e.Message}); attempt {attempt} of {options.DialAttempts}, next in {options.DialInterval.TotalSeconds:0.#} s");
                await Task.Delay(options.DialInterval, time, cancellationToken);
            }
        }
    }
}
