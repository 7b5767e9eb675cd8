using Grpc.Net.Client;
using Proto.Gnmi;
using Path = Proto.Gnmi.Path;

namespace SoftTargetKit;

/// <summary>gNMI as gnmi-ctl and the manager use it: Set makes a TAP port, Get of tdi-portin-id maps its name to the P4 port.</summary>
public static class GnmiPorts
{
    public static Path LeafPath(string port, string leaf)
    {
        var path = new Path();
        path.Elem.Add(new PathElem { Name = "interfaces" });
        var virtualInterface = new PathElem { Name = "virtual-interface" };
        virtualInterface.Key.Add("name", port);
        path.Elem.Add(virtualInterface);
        path.Elem.Add(new PathElem { Name = "config" });
        path.Elem.Add(new PathElem { Name = leaf });
        return path;
    }

    /// <summary>gnmi-ctl set "device:virtual-device,name:X,pipeline-name:pipe,mempool-name:MEMPOOL0,mtu:1500,port-type:TAP".</summary>
    public static async Task CreateTapAsync(GrpcChannel channel, string port)
    {
        var request = new SetRequest();
        foreach (var (leaf, value) in new[] { ("device", "virtual-device"), ("pipeline-name", "pipe"), ("mempool-name", "MEMPOOL0"), ("mtu", "1500"), ("port-type", "TAP") })
        {
            request.Update.Add(new Update { Path = LeafPath(port, leaf), Val = new TypedValue { StringVal = value } });
        }

        await new gNMI.gNMIClient(channel).SetAsync(request, deadline: DateTime.UtcNow.AddSeconds(10));
    }

    public static async Task<uint> PortIdAsync(GrpcChannel channel, string port)
    {
        var request = new GetRequest { Type = GetRequest.Types.DataType.All, Encoding = Encoding.Proto };
        request.Path.Add(LeafPath(port, "tdi-portin-id"));
        var reply = await new gNMI.gNMIClient(channel).GetAsync(request, deadline: DateTime.UtcNow.AddSeconds(10));
        return (uint)reply.Notification[0].Update[0].Val.UintVal;
    }
}
