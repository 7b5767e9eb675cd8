using Packets;

namespace ArpProxy.Links;

/// <summary>
/// What a lookup found for an interface name. <see cref="Index"/> and <see cref="Mac"/> are set unless
/// the interface is <see cref="LinkState.Missing"/>; <see cref="Address"/> only when it is <see cref="LinkState.Ready"/>.
/// </summary>
internal readonly record struct LinkStatus(LinkState State, string Name, int Index, MacAddress Mac, IPv4Address Address)
{
    public static LinkStatus Missing(string name) => new(LinkState.Missing, name, 0, MacAddress.Zero, default);
}
