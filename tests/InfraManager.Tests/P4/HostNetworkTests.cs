using Xunit;

namespace InfraManager.Tests.P4;

/// <summary>Tests that make TAPs (through SoftTarget's gNMI) or otherwise touch the host's network: one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HostNetworkTests
{
    public const string Name = "host network";
}
