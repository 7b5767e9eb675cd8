namespace ArpProxy.Links;

/// <summary>How far an interface is from being served, in the order the proxy waits for each step.</summary>
internal enum LinkState
{
    Missing,

    /// <summary>Administratively down or without carrier: a packet socket bound now would only report ENETDOWN.</summary>
    Down,

    /// <summary>Up, but the Go original waited for an IPv4 address before it answered (reference-behaviour.md 7.1).</summary>
    NoIPv4Address,
    Ready,
}
