using Grpc.Core;
using InfraManager.P4;
using Microsoft.Extensions.Logging.Abstractions;
using Proto.Gnmi;
using SoftTargetKit;
using TestSupport;
using TestSupport.Network;
using Xunit;

namespace InfraManager.Tests.P4;

/// <summary>gNMI port lookups against a real softtarget, whose gNMI Set makes real TAPs.</summary>
[Collection(HostNetworkTests.Name)]
public sealed class PortLookupTests : IAsyncLifetime, IDisposable
{
    private readonly SoftTargetProcess _target = new();
    private readonly List<string> _taps = [];
    private PortLookup _lookup = null!; // made once the target has its ports, in InitializeAsync

    public async Task InitializeAsync()
    {
        await _target.InitializeAsync();
        _lookup = new PortLookup(P4TestSessions.Options(_target), TimeSpan.FromSeconds(10), TimeProvider.System, NullLogger<PortLookup>.Instance);
    }

    public void Dispose() => _lookup?.Dispose();

    public async Task DisposeAsync()
    {
        await _target.DisposeAsync();
        foreach (var tap in _taps)
        {
            await HostCommands.DeleteLinkIfPresentAsync(tap);
        }
    }

    private static CancellationToken Timeout => TaskTimeoutExtensions.DefaultTimeoutToken();

    private async Task<string> CreateTapAsync()
    {
        var name = HostCommands.UniqueName("im");
        _taps.Add(name);
        await GnmiPorts.CreateTapAsync(_target.Gnmi, name);
        return name;
    }

    [Fact]
    public async Task PortIdAsync_TapsCreatedThroughGnmi_TheirPortIds()
    {
        var first = await CreateTapAsync();
        var second = await CreateTapAsync();

        var firstId = await _lookup.PortIdAsync(first, Timeout);
        var secondId = await _lookup.PortIdAsync(second, Timeout);

        Assert.Equal(await GnmiPorts.PortIdAsync(_target.Gnmi, first), firstId);
        Assert.Equal(firstId + 1, secondId);
    }

    [Fact]
    public async Task PortIdAsync_UnknownName_NotFoundNamingIt()
    {
        var error = await Assert.ThrowsAsync<PortLookupException>(() => _lookup.PortIdAsync("imnosuchtap", Timeout));

        Assert.Equal(StatusCode.NotFound, error.Code);
        Assert.Equal("imnosuchtap", error.InterfaceName);
        Assert.StartsWith($"gNMI 127.0.0.1:{_target.GnmiPort}: port of 'imnosuchtap': the target has no such interface", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PortIdAsync_AfterTheTargetRestarted_CachedUntilInvalidated()
    {
        var tap = await CreateTapAsync();
        var id = await _lookup.PortIdAsync(tap, Timeout);

        await _target.RestartAsync();

        Assert.Equal(id, await _lookup.PortIdAsync(tap, Timeout));
        _lookup.Invalidate();
        var error = await Assert.ThrowsAsync<PortLookupException>(() => _lookup.PortIdAsync(tap, Timeout));
        Assert.Equal(StatusCode.NotFound, error.Code);
    }

    [Fact]
    public async Task PortIdAsync_TargetDown_Unavailable()
    {
        await _target.KillAsync();

        var error = await Assert.ThrowsAsync<PortLookupException>(() => _lookup.PortIdAsync("P4TAP_0", Timeout));

        Assert.Equal(StatusCode.Unavailable, error.Code);
    }

    [Fact]
    public void ReadPortId_TheAnswerTdiPortinIdHas_ThePort()
    {
        var response = new GetResponse { Notification = { new Notification { Update = { new Update { Val = new TypedValue { UintVal = 4 } } } } } };

        Assert.Equal(4u, PortLookup.ReadPortId(response, "P4TAP_4"));
    }

    private static readonly Dictionary<string, GetResponse> OtherShapes = new()
    {
        ["no notification"] = new GetResponse(),
        ["no update"] = new GetResponse { Notification = { new Notification() } },
        ["no value"] = new GetResponse { Notification = { new Notification { Update = { new Update() } } } },
        ["a StringVal, not a uint_val"] = new GetResponse { Notification = { new Notification { Update = { new Update { Val = new TypedValue { StringVal = "4" } } } } } },
        ["4294967296 is not a 32-bit port id"] = new GetResponse { Notification = { new Notification { Update = { new Update { Val = new TypedValue { UintVal = 1UL << 32 } } } } } },
    };

    [Theory]
    [InlineData("no notification")]
    [InlineData("no update")]
    [InlineData("no value")]
    [InlineData("a StringVal, not a uint_val")]
    [InlineData("4294967296 is not a 32-bit port id")]
    public void ReadPortId_OtherShape_DataLossSayingWhat(string problem)
    {
        var error = Assert.Throws<PortLookupException>(() => PortLookup.ReadPortId(OtherShapes[problem], "P4TAP_4"));

        Assert.Equal(StatusCode.DataLoss, error.Code);
        Assert.Equal("P4TAP_4", error.InterfaceName);
        Assert.EndsWith(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PortIdPath_TheGoOriginalsPath()
    {
        var path = PortLookup.PortIdPath("P4TAP_3");

        Assert.Equal(["interfaces", "virtual-interface", "config", "tdi-portin-id"], path.Elem.Select(e => e.Name));
        Assert.Equal("P4TAP_3", path.Elem[1].Key["name"]);
        Assert.Empty(path.Target);
    }
}
