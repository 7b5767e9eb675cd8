namespace Packets.Tests;

/// <summary>How <see cref="TestFrames"/> fills the TCP/UDP checksum field.</summary>
internal enum L4Checksum
{
    Full,
    Partial,
    None,
}
