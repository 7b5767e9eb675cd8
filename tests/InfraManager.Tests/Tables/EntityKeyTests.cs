using Google.Protobuf;
using InfraManager.State;
using InfraManager.Tables;
using Packets;
using Proto.P4.V1;
using Xunit;
using static InfraManager.Tests.State.Requests;

namespace InfraManager.Tests.Tables;

public sealed class EntityKeyTests
{
    private static readonly K8sDpTables Tables = TableSamples.Tables;

    [Fact]
    public void Of_EntriesThatDifferInTheirActionOnly_AreTheSameKey()
    {
        var route = Tables.Ipv4Route(Ip("10.244.0.6"), 2, new MacAddress(0x02_00_00_00_00_02));
        var moved = Tables.Ipv4Route(Ip("10.244.0.6"), 3, new MacAddress(0x02_00_00_00_00_03));

        Assert.Equal(EntityKey.Of(route), EntityKey.Of(moved));
    }

    [Fact]
    public void Of_MembersOrGroupsThatDifferInTheirContentOnly_AreTheSameKey()
    {
        Assert.Equal(EntityKey.Of(Tables.Group(ServiceProtocol.Tcp, 1, [1])), EntityKey.Of(Tables.Group(ServiceProtocol.Tcp, 1, [1, 2])));
        var member = Tables.Member(ServiceProtocol.Tcp, 1);
        var other = member.Clone();
        other.ActionProfileMember.Action.Params[0].Value = ByteString.CopyFrom(9);
        Assert.Equal(EntityKey.Of(member), EntityKey.Of(other));
    }

    [Fact]
    public void Of_DifferentMatchValues_AreDifferentKeys()
    {
        Assert.NotEqual(EntityKey.Of(Tables.Arp(Ip("10.244.0.6"), 2)), EntityKey.Of(Tables.Arp(Ip("10.244.0.7"), 2)));
        Assert.NotEqual(EntityKey.Of(Tables.Balance(Web, 1)), EntityKey.Of(Tables.Balance(Web with { Port = 81 }, 1)));
    }

    [Fact]
    public void Of_SameMatchValueInDifferentTables_AreDifferentKeys()
    {
        var ip = Ip("10.244.0.6");

        Assert.NotEqual(EntityKey.Of(Tables.Arp(ip, 2)), EntityKey.Of(Tables.Ipv4Route(ip, 2, new MacAddress(0x02_00_00_00_00_02))));
        Assert.NotEqual(EntityKey.Of(Tables.Dnat(1, Backend("10.244.0.6:80"))), EntityKey.Of(Tables.Snat(1, Web)));
        Assert.NotEqual(EntityKey.Of(Tables.Balance(Web, 1)), EntityKey.Of(Tables.Balance(Web with { Protocol = ServiceProtocol.Udp }, 1)));
    }

    [Fact]
    public void Of_DifferentMemberOrGroupIds_AreDifferentKeys()
    {
        Assert.NotEqual(EntityKey.Of(Tables.Member(ServiceProtocol.Tcp, 1)), EntityKey.Of(Tables.Member(ServiceProtocol.Tcp, 2)));
        Assert.NotEqual(EntityKey.Of(Tables.Member(ServiceProtocol.Tcp, 1)), EntityKey.Of(Tables.Member(ServiceProtocol.Udp, 1)));
        Assert.NotEqual(EntityKey.Of(Tables.Group(ServiceProtocol.Tcp, 1, [1])), EntityKey.Of(Tables.Group(ServiceProtocol.Tcp, 2, [1])));
        Assert.NotEqual(EntityKey.Of(Tables.Member(ServiceProtocol.Tcp, 1)), EntityKey.Of(Tables.Group(ServiceProtocol.Tcp, 1, [1])));
    }

    [Fact]
    public void Of_MatchFieldsInAnotherOrder_IsTheSameKey()
    {
        var entry = Tables.Balance(Web, 1);
        var reordered = entry.Clone();
        var matches = reordered.TableEntry.Match.Reverse().ToList();
        reordered.TableEntry.Match.Clear();
        reordered.TableEntry.Match.Add(matches);

        Assert.Equal(EntityKey.Of(entry), EntityKey.Of(reordered));
    }

    [Fact]
    public void Of_PaddedValue_IsTheSameKeyAsItsCanonicalForm()
    {
        var entry = Tables.Arp(Ip("0.0.0.6"), 2);
        var padded = entry.Clone();
        padded.TableEntry.Match[0].Exact.Value = ByteString.CopyFrom(0, 0, 0, 6);

        Assert.Equal(EntityKey.Of(entry), EntityKey.Of(padded));
    }

    [Fact]
    public void Of_ValuesSplitDifferentlyBetweenFields_AreDifferentKeys()
    {
        // (0x01, 0x0203) and (0x0102, 0x03) concatenate to the same bytes.
        var a = Entry(Bytes(0x01), Bytes(0x02, 0x03));
        var b = Entry(Bytes(0x01, 0x02), Bytes(0x03));

        Assert.NotEqual(EntityKey.Of(a), EntityKey.Of(b));
    }

    [Fact]
    public void Of_EntityTheManagerDoesNotWrite_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => EntityKey.Of(new Entity { CounterEntry = new CounterEntry { CounterId = 1 } }));

        Assert.StartsWith("the manager does not write CounterEntry entities", error.Message, StringComparison.Ordinal);
    }

    private static Entity Entry(ByteString first, ByteString second)
    {
        var entity = Tables.Balance(Web, 1);
        entity.TableEntry.Match[0].Exact.Value = first;
        entity.TableEntry.Match[1].Exact.Value = second;
        return entity;
    }

    private static ByteString Bytes(params byte[] value) => ByteString.CopyFrom(value);
}
