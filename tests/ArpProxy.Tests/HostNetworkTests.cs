using Xunit;

namespace ArpProxy.Tests;

/// <summary>Tests that create namespaces and veths or run the proxy on them: one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HostNetworkTests
{
    public const string Name = "host network";
}
