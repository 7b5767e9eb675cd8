namespace FelixApiProxy;

/// <summary>Which side of the proxy stopped the relay.</summary>
internal enum RelayEnd
{
    /// <summary>Felix closed its pipe (fd 3): Felix is stopping.</summary>
    FelixClosed,

    /// <summary>The agent closed the socket.</summary>
    AgentClosed,

    /// <summary>A read or write failed on either side.</summary>
    Failed,
}

/// <summary>Copies bytes both ways between Felix's pipes and the agent's socket; no framing, as the Go proxy.</summary>
internal static class ByteRelay
{
    private const int ChunkSize = 64 * 1024;

    /// <summary>Runs until one direction ends and says which; <paramref name="failure"/> gets the error of a failed side.</summary>
    public static async Task<(RelayEnd End, Exception? Failure)> RunAsync(Stream fromFelix, Stream toFelix, Stream agent, CancellationToken cancellationToken)
    {
        var felixToAgent = CopyAsync(fromFelix, agent, cancellationToken);
        var agentToFelix = CopyAsync(agent, toFelix, cancellationToken);
        var first = await Task.WhenAny(felixToAgent, agentToFelix);
        if (first.Exception?.InnerException is { } failure)
        {
            return (RelayEnd.Failed, failure);
        }

        return (first == felixToAgent ? RelayEnd.FelixClosed : RelayEnd.AgentClosed, null);
    }

    private static async Task CopyAsync(Stream source, Stream destination, CancellationToken cancellationToken)
    {
        var buffer = new byte[ChunkSize];
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
        {
            await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }
    }
}
