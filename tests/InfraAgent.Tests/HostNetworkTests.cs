using Xunit;

namespace InfraAgent.Tests;

/// <summary>Tests that create namespaces and TAPs or run the node's processes on them: one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HostNetworkTests
{
    public const string Name = "host network";
}
