using Xunit;

namespace Packets.Tests.Namespaces;

/// <summary>The xunit collection of tests that create namespaces, TAPs, veths and raw sockets: they run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HostNetworkTests
{
    public const string Name = "host network";
}
