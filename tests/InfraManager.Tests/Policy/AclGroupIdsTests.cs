using InfraManager.Policy;
using InfraManager.Tables;
using Xunit;
using static InfraManager.Tests.Policy.FelixModel;

namespace InfraManager.Tests.Policy;

public sealed class AclGroupIdsTests
{
    [Fact]
    public void Refresh_GivesEachGroupAnId_AndKeepsItWhenOthersChange()
    {
        var first = AclGroupIds.Refresh(Of(ActivePolicy("a", outbound: [Allow(dstNet: ["10.1.0.0/16"])]), Endpoint("prod/a", "10.244.0.5", egress: ["a"])));
        var second = AclGroupIds.Refresh(first
            .With(ActivePolicy("b", outbound: [Allow(dstNet: ["10.2.0.0/16"])]))
            .With(Endpoint("prod/b", "10.244.0.6", egress: ["b"])));

        Assert.Equal(1, AclGroupIds.Read(first)["egress addresses: 10.1.0.0/16 0-65535"]);
        Assert.Equal(1, AclGroupIds.Read(second)["egress addresses: 10.1.0.0/16 0-65535"]);
        Assert.Equal(2, AclGroupIds.Read(second)["egress addresses: 10.2.0.0/16 0-65535"]);
    }

    [Fact]
    public void Refresh_AGroupThatChanged_TakesAFreshId_NotTheOneJustFreed()
    {
        var before = AclGroupIds.Refresh(Of(ActivePolicy("a", outbound: [Allow(dstNet: ["10.1.0.0/16"])]), Endpoint("prod/a", "10.244.0.5", egress: ["a"])));
        var after = AclGroupIds.Refresh(before.With(ActivePolicy("a", outbound: [Allow(dstNet: ["10.3.0.0/16"])])));

        Assert.Equal(2, Assert.Single(AclGroupIds.Read(after)).Value);
    }

    [Fact]
    public void Refresh_NoGroupsLeft_DropsTheIds()
    {
        var before = AclGroupIds.Refresh(Of(ActivePolicy("a", outbound: [Allow(dstNet: ["10.1.0.0/16"])]), Endpoint("prod/a", "10.244.0.5", egress: ["a"])));

        var after = AclGroupIds.Refresh(before.Remove("WorkloadEndpoint/k8s/prod/a/eth0"));

        Assert.Empty(AclGroupIds.Read(after));
        Assert.DoesNotContain(after.Keys, k => k.StartsWith(AclGroupIds.Kind, StringComparison.Ordinal));
    }

    [Fact]
    public void Refresh_MoreThan255Groups_IsACapacityError()
    {
        var entries = Enumerable.Range(0, 256).SelectMany(i => new[]
        {
            ActivePolicy($"p{i}", outbound: [Allow(dstNet: [$"10.{i / 256}.{i % 256}.0/24"])]),
            Endpoint($"prod/p{i}", $"10.244.{i / 200}.{(i % 200) + 1}", egress: [$"p{i}"]),
        }).ToArray();

        var error = Assert.Throws<CapacityException>(() => AclGroupIds.Refresh(Of(entries)));
        Assert.Contains("255", error.Message, StringComparison.Ordinal);
    }
}
