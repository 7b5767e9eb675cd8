using InfraAgent.Services;
using Packets;
using Xunit;

namespace InfraAgent.Tests.Services;

public sealed class ServicePortRecordTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "svcrecord-" + Guid.NewGuid().ToString("N"));

    private string FilePath => Path.Combine(_directory, "services", "ports");

    [Fact]
    public void Save_ThenReadAgain_HasTheSameKeysSortedOnePerLine()
    {
        var record = new ServicePortRecord(FilePath);
        Assert.True(record.Add(Key("10.96.0.10", ServiceProtocol.Udp, 53)));
        Assert.True(record.Add(Key("10.10.0.2", ServiceProtocol.Tcp, 30080)));
        Assert.False(record.Add(Key("10.96.0.10", ServiceProtocol.Udp, 53)));
        record.Save();

        Assert.Equal(["10.10.0.2:30080/TCP", "10.96.0.10:53/UDP"], File.ReadAllLines(FilePath));
        Assert.Equal(record.Keys.Order(), new ServicePortRecord(FilePath).Keys.Order());
        Assert.False(File.Exists(FilePath + ".tmp"));
    }

    [Fact]
    public void Remove_IsWrittenByTheNextSave()
    {
        var record = new ServicePortRecord(FilePath);
        record.Add(Key("10.96.0.1", ServiceProtocol.Tcp, 80));
        record.Add(Key("10.96.0.2", ServiceProtocol.Tcp, 80));
        record.Save();

        record.Remove(Key("10.96.0.1", ServiceProtocol.Tcp, 80));
        Assert.Equal(2, File.ReadAllLines(FilePath).Length);
        record.Save();

        Assert.Equal(["10.96.0.2:80/TCP"], File.ReadAllLines(FilePath));
    }

    [Fact]
    public void Read_LinesThatAreNoServicePort_AreSetAsideAndTheRestKept()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
        File.WriteAllLines(FilePath, ["10.96.0.1:80/TCP", "10.96.0.1:80/SCTP", "10.96.0.1:0/TCP", "10.96.0.300:80/TCP", "10.96.0.1/TCP", "garbage", string.Empty, "10.96.0.2:65535/UDP"]);

        var record = new ServicePortRecord(FilePath);

        Assert.Equal(["10.96.0.1:80/TCP", "10.96.0.2:65535/UDP"], record.Keys.Order().Select(k => k.ToString()));
        Assert.Equal(["10.96.0.1:80/SCTP", "10.96.0.1:0/TCP", "10.96.0.300:80/TCP", "10.96.0.1/TCP", "garbage"], record.Unreadable);
    }

    [Fact]
    public void NoFile_NoKeys_AndSaveWithoutChangesWritesNothing()
    {
        var record = new ServicePortRecord(FilePath);

        record.Save();

        Assert.Empty(record.Keys);
        Assert.False(Directory.Exists(_directory));
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static ServiceKey Key(string ip, ServiceProtocol protocol, ushort port) => new(IPv4Address.Parse(ip), protocol, port);
}
