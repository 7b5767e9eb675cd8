using Grpc.Core;
using Proto.Gnmi;
using TestSupport.Network;
using SoftTargetKit;
using Xunit;

namespace SoftTarget.Tests.Api;

[Collection(HostNetworkTests.Name)]
public sealed class GnmiServiceTests : IClassFixture<SoftTargetProcess>
{
    private readonly SoftTargetProcess _target;

    public GnmiServiceTests(SoftTargetProcess target)
    {
        _target = target;
    }

    [Fact]
    public async Task SetThenGet_NewTapPorts_NumberedInCreationOrderAndTheTapExists()
    {
        var first = HostCommands.UniqueName("st");
        var second = HostCommands.UniqueName("st");
        try
        {
            await GnmiPorts.CreateTapAsync(_target.Gnmi, first);
            await GnmiPorts.CreateTapAsync(_target.Gnmi, second);

            var firstId = await GnmiPorts.PortIdAsync(_target.Gnmi, first);
            Assert.Equal(firstId + 1, await GnmiPorts.PortIdAsync(_target.Gnmi, second));
            Assert.True(await HostCommands.LinkExistsAsync(first));
            Assert.Contains("tun", await HostCommands.RunAsync("ip", "-d", "link", "show", "dev", second), StringComparison.Ordinal);
        }
        finally
        {
            await HostCommands.DeleteLinkIfPresentAsync(first);
            await HostCommands.DeleteLinkIfPresentAsync(second);
        }
    }

    [Fact]
    public async Task Set_NameTooLongForAnInterface_InvalidArgumentAndNoPort()
    {
        var name = "P4TAP_far_too_long_0";

        var error = await Assert.ThrowsAsync<RpcException>(() => GnmiPorts.CreateTapAsync(_target.Gnmi, name));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(name, error.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(() => GnmiPorts.PortIdAsync(_target.Gnmi, name))).StatusCode);
    }

    [Fact]
    public async Task Get_UnknownPort_NotFound()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => GnmiPorts.PortIdAsync(_target.Gnmi, "nosuchtap"));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task Get_OtherPath_InvalidArgument()
    {
        var request = new GetRequest();
        request.Path.Add(new Proto.Gnmi.Path { Elem = { new PathElem { Name = "system" } } });

        var error = await Assert.ThrowsAsync<RpcException>(async () => await new gNMI.gNMIClient(_target.Gnmi).GetAsync(request));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
    }
}
