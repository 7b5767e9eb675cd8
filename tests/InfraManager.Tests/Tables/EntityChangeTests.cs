using InfraManager.State;
using InfraManager.Tables;
using Packets;
using Proto.P4.V1;
using Xunit;
using static InfraManager.Tests.State.Requests;

namespace InfraManager.Tests.Tables;

public sealed class EntityChangeTests
{
    private static readonly K8sDpTables Tables = TableSamples.Tables;

    [Fact]
    public void ToUpdate_DeleteOfATableEntry_CarriesTheKeyOnly()
    {
        var route = Tables.Ipv4Route(Ip("10.244.0.6"), 2, new MacAddress(0x02_00_00_00_00_02));

        var update = new EntityChange(EntityKey.Of(route), route, null).ToUpdate();

        Assert.Equal(Update.Types.Type.Delete, update.Type);
        Assert.Null(update.Entity.TableEntry.Action);
        Assert.Equal(route.TableEntry.Match, update.Entity.TableEntry.Match);
        Assert.Equal(route.TableEntry.TableId, update.Entity.TableEntry.TableId);
    }

    [Fact]
    public void ToUpdate_Modify_CarriesTheNewEntity()
    {
        var before = Tables.Group(ServiceProtocol.Tcp, 1, [1, 2]);
        var after = Tables.Group(ServiceProtocol.Tcp, 1, [1, 3]);

        var update = new EntityChange(EntityKey.Of(after), before, after).ToUpdate();

        Assert.Equal(Update.Types.Type.Modify, update.Type);
        Assert.Equal(after, update.Entity);
    }

    [Fact]
    public void Inverse_Insert_IsTheDelete()
    {
        var member = Tables.Member(ServiceProtocol.Tcp, 1);
        var insert = new EntityChange(EntityKey.Of(member), null, member);

        var inverse = insert.Inverse();

        Assert.Equal(Update.Types.Type.Delete, inverse.Type);
        Assert.Equal(member, inverse.Before);
        Assert.Equal(insert, inverse.Inverse());
    }
}
