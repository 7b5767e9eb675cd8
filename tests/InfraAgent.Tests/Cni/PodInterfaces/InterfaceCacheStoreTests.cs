using InfraAgent.Cni.PodInterfaces;
using Xunit;

namespace InfraAgent.Tests.Cni.PodInterfaces;

public sealed class InterfaceCacheStoreTests : IDisposable
{
    private readonly string _directory = Path.Combine(Directory.CreateTempSubdirectory("k8sio-cache-").FullName, "tap");

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(_directory)!, recursive: true); // a temp subdirectory has a parent

    [Fact]
    public void Write_Record_GoFieldNamesMode0600AndReadBack()
    {
        var store = new InterfaceCacheStore(_directory);
        var record = new InterfaceInfoRecord { InterfaceName = "P4TAP_2", MacAddress = "02:00:00:00:00:02", Netns = "/var/run/netns/cni-1", PodInterfaceName = "eth0", Ipv4Address = "10.244.0.6" };

        store.Write("cni-1-eth0", record);

        var path = Path.Combine(_directory, "cni-1-eth0");
        var json = File.ReadAllText(path);
        Assert.Contains("\"pciaddr\":\"\",\"interfacename\":\"P4TAP_2\",\"vfid\":0,\"macaddr\":\"02:00:00:00:00:02\"", json, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_directory));
        Assert.Equal(record, store.Read("cni-1-eth0"));
        Assert.Equal(["cni-1-eth0"], store.PodEntries());
    }

    [Fact]
    public void Read_GoAgentFile_ParsesWithoutOurFields()
    {
        var store = new InterfaceCacheStore(_directory);
        File.WriteAllText(Path.Combine(_directory, "cni-2-eth0"), "{\"pciaddr\":\"\",\"interfacename\":\"P4TAP_3\",\"vfid\":0,\"macaddr\":\"02:00:00:00:00:03\"}");

        var record = store.Read("cni-2-eth0");

        Assert.NotNull(record);
        Assert.Equal("P4TAP_3", record.InterfaceName);
        Assert.Null(record.Netns);
    }

    [Fact]
    public void Read_MissingOrGarbled_Null()
    {
        var store = new InterfaceCacheStore(_directory);
        File.WriteAllText(Path.Combine(_directory, "half"), "{\"pciaddr\":");

        Assert.Null(store.Read("absent"));
        Assert.Null(store.Read("half"));
    }

    [Fact]
    public void Write_NameLeavingTheDirectory_Throws()
    {
        var store = new InterfaceCacheStore(_directory);

        Assert.Throws<ArgumentException>(() => store.Write("../escape", new InterfaceInfoRecord()));
    }
}
