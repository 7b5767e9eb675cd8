using Xunit;

namespace TestSupport.Network;

/// <summary>Tests that create namespaces, TAPs and veths, or start SoftTargets that own TAPs: one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HostNetworkTests
{
    public const string Name = "host network";
}
