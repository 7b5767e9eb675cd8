namespace ArpProxy.Proxy;

/// <summary>What <see cref="ArpResponder.Respond"/> made of one received frame.</summary>
internal enum ArpVerdict
{
    /// <summary>A reply was written.</summary>
    Reply,

    /// <summary>Not a complete Ethernet/IPv4 ARP request: garbage, a short frame, a reply, another protocol.</summary>
    NotArpRequest,

    /// <summary>Sent with our own MAC: answering it would only talk to ourselves.</summary>
    FromSelf,

    /// <summary>A zero, broadcast or multicast sender MAC: there is nobody to address the reply to.</summary>
    InvalidSender,

    /// <summary>An address probe (RFC 5227, sender IP 0.0.0.0); a reply would tell the prober its new address is taken.</summary>
    Probe,

    /// <summary>A gratuitous ARP (sender IP = target IP); a reply would claim the announcer's own address.</summary>
    Announcement,
}
