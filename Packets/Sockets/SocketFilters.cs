namespace Packets.Sockets;

/// <summary>Classic BPF programs for <see cref="PacketSocket"/>, run by the kernel so unwanted frames never wake the reader.</summary>
public static class SocketFilters
{
    private const ushort LoadHalfWordAbsolute = 0x28; // BPF_LD | BPF_H | BPF_ABS
    private const ushort JumpIfEqual = 0x15; // BPF_JMP | BPF_JEQ | BPF_K
    private const ushort Return = 0x06; // BPF_RET | BPF_K
    private const uint WholeFrame = 0x40000;

    /// <summary>Accepts frames whose EtherType (offset 12; the kernel has already taken any VLAN tag off) is <paramref name="etherType"/>.</summary>
    public static SocketFilterInstruction[] EtherType(ushort etherType) =>
    [
        new(LoadHalfWordAbsolute, 0, 0, 12),
        new(JumpIfEqual, 0, 1, etherType),
        new(Return, 0, 0, WholeFrame),
        new(Return, 0, 0, 0),
    ];

    /// <summary>Accepts ARP requests only (EtherType 0x0806, oper 1 at offset 20): all the ARP proxy answers.</summary>
    public static SocketFilterInstruction[] ArpRequests() =>
    [
        new(LoadHalfWordAbsolute, 0, 0, 12),
        new(JumpIfEqual, 0, 3, EtherTypes.Arp),
        new(LoadHalfWordAbsolute, 0, 0, 20),
        new(JumpIfEqual, 0, 1, 1),
        new(Return, 0, 0, WholeFrame),
        new(Return, 0, 0, 0),
    ];
}
