using System.Runtime.InteropServices;
using Netlink.Messages;
using Xunit;

namespace Netlink.Tests.Messages;

public sealed class TrafficControlMessageTests
{
    [Fact]
    public void Sizes_TcmsgTcMirredAndTcU32Sel_MatchTheKernelStructs()
    {
        Assert.Equal(TrafficControlMessage.Size, Marshal.SizeOf<TrafficControlMessage>());
        Assert.Equal(MirredParameters.Size, Marshal.SizeOf<MirredParameters>());
        Assert.Equal(U32Selector.Size, Marshal.SizeOf<U32Selector>());
    }

    [Fact]
    public void FilterInfo_Priority1_IsPriorityAboveEthPAllInNetworkOrder()
    {
        Assert.Equal(0x0001_0300u, TrafficControlMessage.FilterInfo(1));
    }

    [Fact]
    public void AddStruct_TcMirred_WritesItsFieldsInOrderAfterTheAttributeHeader()
    {
        var request = new NetlinkRequest(NetlinkMessageTypes.NewFilter, NetlinkFlags.Request);
        var parameters = new MirredParameters { Action = MirredParameters.ActionStolen, ExtendedAction = MirredParameters.EgressRedirect, InterfaceIndex = 9 };
        request.AddStruct(AttributeTypes.ActionMirredParameters, ref parameters);

        var bytes = request.Stamp(1, 0)[NetlinkMessageHeader.Size..].ToArray();

        Assert.Equal(
            new byte[] { 32, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 9, 0, 0, 0 },
            bytes);
    }
}
