namespace ArpProxy.Proxy;

/// <summary>What one socket's lifetime did, logged when it closes.</summary>
internal struct ReplyCounters
{
    public long Answered;
    public long Ignored;
    public long Failed;
}
