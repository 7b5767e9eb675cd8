using InfraManager.State;
using InfraManager.Store;
using InfraManager.Tests.P4;
using Microsoft.Extensions.Logging;
using Packets;
using Xunit;
using static InfraManager.Tests.Store.StateSamples;

namespace InfraManager.Tests.Store;

/// <summary>The upgrade from the Go manager's store, from files laid out as it wrote them.</summary>
public sealed class GoStoreImportTests : IDisposable
{
    private const int GoImported = 720;
    private const int GoEntrySkipped = 721;
    private const int GoGroupIdReassigned = 723;
    private const int GoMemberIdReassigned = 724;
    private const int GoProtocolSkipped = 726;

    /// <summary>main's cni_db.json: two pods, the pod gateway, the node IP and the host interface (both on port 1).</summary>
    private const string MainEndpoints = """
        {
         "10.244.0.5": {
          "ModPtr": 1,
          "InterfaceID": 3,
          "PodIpAddress": "10.244.0.5",
          "PodMacAddress": "00:09:00:08:b5:03"
         },
         "10.244.0.6": {
          "ModPtr": 2,
          "InterfaceID": 4,
          "PodIpAddress": "10.244.0.6",
          "PodMacAddress": "00:09:00:08:b5:04"
         },
         "169.254.1.1": {
          "ModPtr": 0,
          "InterfaceID": 0,
          "PodIpAddress": "169.254.1.1",
          "PodMacAddress": "00:09:00:08:b5:00"
         },
         "192.168.1.10": {
          "ModPtr": 0,
          "InterfaceID": 1,
          "PodIpAddress": "192.168.1.10",
          "PodMacAddress": "00:09:00:08:b5:01"
         },
         "200.1.1.2": {
          "ModPtr": 0,
          "InterfaceID": 1,
          "PodIpAddress": "200.1.1.2",
          "PodMacAddress": "00:09:00:08:b5:01"
         }
        }
        """;

    private const string MainSetup = """
        {
         "HostInterface": {
          "Ip": "200.1.1.2",
          "Mac": "00:09:00:08:b5:01"
         },
         "SetDefaultRule": true,
         "ModCntr": {
          "CniId": 3,
          "ServiceId": 4
         },
         "PolicyRuleGroupIdTop": 0
        }
        """;

    /// <summary>v23.01's cni_db.json: no ModPtr, no gateway entry, and no setup_db.json beside it.</summary>
    private const string V2301Endpoints = """
        {
         "10.244.0.5": {
          "PodIpAddress": "10.244.0.5",
          "InterfaceID": 3,
          "PodMacAddress": "00:09:00:08:b5:03"
         },
         "200.1.1.2": {
          "PodIpAddress": "200.1.1.2",
          "InterfaceID": 1,
          "PodMacAddress": "00:09:00:08:b5:01"
         }
        }
        """;

    private static readonly string[] SeventeenBackends = [.. Enumerable.Range(1, 17).Select(i => $"10.244.1.{i}")];

    private readonly StoreDirectory _directory = new();
    private readonly RecordingLogger<StateStore> _logger = new();

    public GoStoreImportTests() => _directory.Create();

    public void Dispose() => _directory.Dispose();

    private static ServiceKey Dns => Key("10.96.0.10", ServiceProtocol.Udp, 53);

    private static ServiceKey Web => Key("10.96.0.20", ServiceProtocol.Tcp, 80);

    private static ServiceKey Wide => Key("10.96.0.30", ServiceProtocol.Tcp, 8080);

    private StateStore Open() => StateStore.Open(_directory.StorePath, _logger);

    /// <summary>
    /// main's three files. Web got group 1 again after a restart (group ids were not persisted), so it
    /// shares the group and the member ids of Dns; Wide has 17 backends, so its 17th repeats its 1st's id.
    /// </summary>
    private void WriteMainStore()
    {
        File.WriteAllText(_directory.FilePath("cni_db.json"), MainEndpoints);
        File.WriteAllText(_directory.FilePath("setup_db.json"), MainSetup);
        GoStoreFiles.WriteServices(
            _directory.FilePath("services_db.json"),
            ("10.96.0.10", "UDP", 53, 1, GoStoreFiles.Numbered(1, 53, "10.244.0.5", "10.244.0.6")),
            ("10.96.0.20", "TCP", 80, 1, GoStoreFiles.Numbered(1, 8080, "10.244.0.5", "10.244.0.6")),
            ("10.96.0.30", "TCP", 8080, 2, GoStoreFiles.Numbered(2, 8080, SeventeenBackends)),
            ("10.96.0.40", "SCTP", 9000, 3, GoStoreFiles.Numbered(3, 9000, "10.244.0.5")));
    }

    private static uint MemberId(ServiceRecord service, string ip, ushort port) =>
        service.Find(new BackendAddress(IPv4Address.Parse(ip), port))!.MemberId; // the asserted backends are all imported

    [Fact]
    public void Open_OnlyGoFiles_ImportsThemAndWritesOurSnapshot()
    {
        WriteMainStore();
        var goFiles = Directory.GetFiles(_directory.StorePath).ToDictionary(f => f, File.ReadAllBytes);

        using var store = Open();

        Assert.Equal(StoreLoadSource.GoStore, store.LoadedFrom);
        Assert.True(File.Exists(_directory.Snapshot));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_directory.Snapshot));
        foreach (var (path, content) in goFiles)
        {
            Assert.Equal(content, File.ReadAllBytes(path));
        }
    }

    [Fact]
    public void Open_GoEndpoints_HostInterfaceNodeIpAndPods()
    {
        WriteMainStore();

        using var store = Open();

        var endpoints = store.State.Endpoints;
        Assert.Equal(
            new[]
            {
                ("10.244.0.5", EndpointKind.Pod, 3u, "00:09:00:08:b5:03"),
                ("10.244.0.6", EndpointKind.Pod, 4u, "00:09:00:08:b5:04"),
                ("192.168.1.10", EndpointKind.NodeIp, 1u, "00:09:00:08:b5:01"),
                ("200.1.1.2", EndpointKind.HostInterface, 1u, "00:09:00:08:b5:01"),
            },
            endpoints.Values.Select(e => (e.Ip.ToString(), e.Kind, e.PortId, e.Mac.ToString())));
        Assert.All(endpoints.Values, e => Assert.Equal(string.Empty, e.InterfaceName));
        Assert.Equal(
            new HostInterfaceRecord(string.Empty, Ip("200.1.1.2"), MacAddress.Parse("00:09:00:08:b5:01"), 1, Ip("192.168.1.10")),
            store.State.Host);
    }

    [Fact]
    public void Open_GoServiceWith17Backends_TheRepeatedMemberIdReplaced()
    {
        WriteMainStore();

        using var store = Open();

        var wide = store.State.Services[Wide];
        Assert.Equal(2u, wide.GroupId);
        Assert.Equal(17, wide.Backends.Length);
        Assert.Equal(33u, MemberId(wide, "10.244.1.1", 8080));
        Assert.Equal(32u, MemberId(wide, "10.244.1.16", 8080));
        Assert.Equal(50u, MemberId(wide, "10.244.1.17", 8080));
        Assert.Contains(
            _logger.Entries,
            e => e.EventId == GoMemberIdReassigned && e.Level == LogLevel.Warning
                && e.Message == "services_db.json: service 10.96.0.30:TCP:8080 backend 10.244.1.17:8080: member id 33 is used by another backend; it gets 50");
    }

    [Fact]
    public void Open_GoServicesSharingAGroupId_TheSecondGetsFreshIds()
    {
        WriteMainStore();

        using var store = Open();

        var dns = store.State.Services[Dns];
        var web = store.State.Services[Web];
        Assert.Equal((1u, 17u, 18u), (dns.GroupId, MemberId(dns, "10.244.0.5", 53), MemberId(dns, "10.244.0.6", 53)));
        Assert.Equal((3u, 48u, 49u), (web.GroupId, MemberId(web, "10.244.0.5", 8080), MemberId(web, "10.244.0.6", 8080)));
        var groupWarning = Assert.Single(_logger.Entries, e => e.EventId == GoGroupIdReassigned);
        Assert.Equal("services_db.json: service 10.96.0.20:TCP:80: group id 1 is used by another service; it gets 3", groupWarning.Message);
        Assert.Equal(3, _logger.Count(GoMemberIdReassigned));
    }

    [Fact]
    public void Open_GoStore_EveryIdUniqueAndInRange()
    {
        WriteMainStore();

        using var store = Open();

        var services = store.State.Services.Values;
        var groups = services.Select(s => s.GroupId).ToList();
        var members = services.SelectMany(s => s.Backends).Select(b => b.MemberId).ToList();
        Assert.Equal(groups.Count, groups.Distinct().Count());
        Assert.Equal(members.Count, members.Distinct().Count());
        Assert.All(groups.Concat(members), id => Assert.InRange(id, 1u, (1u << 24) - 1));
    }

    [Fact]
    public void Open_GoSctpService_SkippedWithAWarning()
    {
        WriteMainStore();

        using var store = Open();

        Assert.Equal(new[] { Dns, Web, Wide }, store.State.Services.Keys);
        var warning = Assert.Single(_logger.Entries, e => e.EventId == GoProtocolSkipped);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Equal("services_db.json: skipped 10.96.0.40:SCTP:9000: k8s_dp balances TCP and UDP only, not 'SCTP'", warning.Message);
        Assert.Equal(0, _logger.Count(GoEntrySkipped));
    }

    [Fact]
    public void Open_GoStore_CursorsContinueAfterTheHighestIds()
    {
        WriteMainStore();

        using var store = Open();

        Assert.Equal(new IdCursors(51, 4), store.State.Cursors);
    }

    [Fact]
    public void Open_GoStore_LogsHowManyPodsAndServices()
    {
        WriteMainStore();

        using var store = Open();

        var imported = Assert.Single(_logger.Entries, e => e.EventId == GoImported);
        Assert.Equal(LogLevel.Information, imported.Level);
        Assert.Contains(": 2 pods, 3 services", imported.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_AfterTheImport_LoadsOurStore()
    {
        WriteMainStore();
        ManagerState imported;
        using (var store = Open())
        {
            imported = store.State;
        }

        using var reopened = Open();

        Assert.Equal(StoreLoadSource.Store, reopened.LoadedFrom);
        Assert.True(reopened.State.SameContent(imported));
        Assert.Equal(1, _logger.Count(GoImported));
    }

    [Fact]
    public void Open_OurStoreBesideGoFiles_GoFilesIgnored()
    {
        using (var store = Open())
        {
            store.Commit(ManagerState.Empty.WithEndpoint(Pod("10.244.0.9", 9)));
        }

        WriteMainStore();
        using var reopened = Open();

        Assert.Equal(StoreLoadSource.Store, reopened.LoadedFrom);
        Assert.Equal(new[] { Ip("10.244.0.9") }, reopened.State.Endpoints.Keys);
        Assert.Equal(0, _logger.Count(GoImported));
    }

    [Fact]
    public void Open_V2301GoFilesWithoutSetup_EveryEntryAPod()
    {
        File.WriteAllText(_directory.FilePath("cni_db.json"), V2301Endpoints);
        GoStoreFiles.WriteServices(_directory.FilePath("services_db.json"), ("10.96.0.10", "UDP", 53, 1, GoStoreFiles.Numbered(1, 53, "10.244.0.5")));

        using var store = Open();

        Assert.Equal(StoreLoadSource.GoStore, store.LoadedFrom);
        Assert.All(store.State.Endpoints.Values, e => Assert.Equal(EndpointKind.Pod, e.Kind));
        Assert.Equal(2, store.State.Endpoints.Count);
        Assert.Null(store.State.Host);
        Assert.Equal(17u, MemberId(store.State.Services[Dns], "10.244.0.5", 53));
        Assert.Equal(new IdCursors(18, 2), store.State.Cursors);
    }

    [Fact]
    public void Open_GoFilesTruncated_EmptyImport()
    {
        // The Go manager truncated its files when infrap4d lost the pipeline.
        File.WriteAllText(_directory.FilePath("cni_db.json"), string.Empty);
        File.WriteAllText(_directory.FilePath("services_db.json"), string.Empty);

        using var store = Open();

        Assert.Equal(StoreLoadSource.GoStore, store.LoadedFrom);
        Assert.True(store.State.SameContent(ManagerState.Empty));
    }

    [Fact]
    public void Open_CorruptGoFile_ThrowsNamingItAndWritesNothing()
    {
        WriteMainStore();
        var services = _directory.FilePath("services_db.json");
        File.WriteAllText(services, File.ReadAllText(services)[..100]);

        var error = Assert.Throws<StoreException>(Open);

        Assert.StartsWith($"{services}: ", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(_directory.Snapshot));
        Assert.False(File.Exists(_directory.Journal));
    }

    [Fact]
    public void Open_GoEntryWithABadAddress_SkippedWithAWarning()
    {
        File.WriteAllText(_directory.FilePath("cni_db.json"), V2301Endpoints.Replace("00:09:00:08:b5:03", "00:09:00:08:b5", StringComparison.Ordinal));

        using var store = Open();

        Assert.Equal(new[] { Ip("200.1.1.2") }, store.State.Endpoints.Keys);
        var warning = Assert.Single(_logger.Entries, e => e.EventId == GoEntrySkipped);
        Assert.Equal("cni_db.json: skipped 10.244.0.5: PodMacAddress: '00:09:00:08:b5' is not a MAC address", warning.Message);
    }
}
