using System.Net.Sockets;

namespace FelixApiProxy;

/// <summary>
/// One run of the proxy (reference-behaviour.md 6.9): Felix's pipes, the agent's socket, bytes both ways
/// until either side ends. The exit code is 0 when Felix closed its pipe (Felix is stopping) and 1
/// otherwise, so Felix sees its driver die and restarts it.
/// </summary>
internal static class FelixProxy
{
    public const int Stopped = 0;
    public const int Failed = 1;

    public static async Task<int> RunAsync(ProxyOptions options, TimeProvider time, Action<string> log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        try
        {
            using var pipes = FelixPipes.Open();
            using var socket = await AgentSocket.ConnectAsync(options, time, log, cancellationToken);
            log($"connected to the agent at {options.SocketPath}; relaying fd {FelixPipes.FromFelixFd} -> socket -> fd {FelixPipes.ToFelixFd}");
            await using var agent = new NetworkStream(socket, ownsSocket: false);
            var (end, failure) = await ByteRelay.RunAsync(pipes.FromFelix, pipes.ToFelix, agent, cancellationToken);
            Close(socket);
            switch (end)
            {
                case RelayEnd.FelixClosed:
                    log("Felix closed its pipe; Felix proxy exited");
                    return Stopped;
                case RelayEnd.AgentClosed:
                    log("the agent closed the socket; Felix proxy exited");
                    return Failed;
                default:
                    log($"relay failed: {failure?.Message}; Felix proxy exited");
                    return Failed;
            }
        }
        catch (IOException e)
        {
            log(e.Message);
            return Failed;
        }
    }

    // Everything read was written before the read that ended the relay; the FIN follows it, so the agent gets it all.
    private static void Close(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // The agent is already gone: nothing left to deliver.
        }
    }
}
