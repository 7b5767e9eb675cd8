using Xunit;

namespace Scripts.Tests;

/// <summary>Tests that create namespaces, veths and TAPs through the scripts: one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HostNetworkTests
{
    public const string Name = "host network";
}
