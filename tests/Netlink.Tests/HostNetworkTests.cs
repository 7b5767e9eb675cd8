using Xunit;

namespace Netlink.Tests;

/// <summary>Tests that create namespaces and veths, or change links of the root namespace: one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HostNetworkTests
{
    public const string Name = "host network";
}
