namespace Packets.Tap;

/// <summary>virtio_net_hdr.gso_type (virtio spec 5.1.6); <see cref="Ecn"/> is a bit added to the others.</summary>
public enum VirtioGsoType : byte
{
    None = 0,
    TcpV4 = 1,
    Udp = 3,
    TcpV6 = 4,
    UdpL4 = 5,
    Ecn = 0x80,
}
