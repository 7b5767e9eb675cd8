namespace ArpProxy.Links;

/// <summary>
/// Polls every 100 ms, as the Go original did, until the interface exists, is up and has an IPv4
/// address; says once what it is waiting for each time that changes.
/// </summary>
internal sealed class LinkWaiter(ILinkLookup lookup, TimeProvider time, ILogger<LinkWaiter> logger)
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    public async Task<LinkStatus> WaitAsync(string name, CancellationToken cancellationToken)
    {
        LinkState? reported = null;
        while (true)
        {
            var status = lookup.Find(name);
            if (status.State == LinkState.Ready)
            {
                return status;
            }

            if (status.State != reported)
            {
                Report(name, status.State);
                reported = status.State;
            }

            await Task.Delay(PollInterval, time, cancellationToken);
        }
    }

    private void Report(string name, LinkState state)
    {
        switch (state)
        {
            case LinkState.Missing:
                ArpProxyLog.WaitingToAppear(logger, name);
                break;
            case LinkState.Down:
                ArpProxyLog.WaitingToComeUp(logger, name);
                break;
            default:
                ArpProxyLog.WaitingForAddress(logger, name);
                break;
        }
    }
}
