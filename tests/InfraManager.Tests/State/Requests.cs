using InfraManager.State;
using Packets;

namespace InfraManager.Tests.State;

/// <summary>Requests as the API makes them, and the one writer's way of applying them.</summary>
internal static class Requests
{
    public static ServiceKey Web { get; } = new(Ip("10.96.0.10"), ServiceProtocol.Tcp, 80);

    public static ServiceKey Auth { get; } = new(Ip("10.96.0.20"), ServiceProtocol.Tcp, 443);

    public static ServiceKey Dns { get; } = new(Ip("10.96.0.10"), ServiceProtocol.Udp, 53);

    public static IPv4Address Ip(string text) => IPv4Address.Parse(text);

    public static MacAddress Mac(string text) => MacAddress.Parse(text);

    /// <summary>"10.244.0.6:8080".</summary>
    public static BackendAddress Backend(string text)
    {
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        return new BackendAddress(Ip(text[..colon]), ushort.Parse(text[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }

    public static SetService Service(ServiceKey key, params string[] backends) => new(key, [.. backends.Select(Backend)]);

    /// <summary>A pod on TAP port <paramref name="port"/> with MAC 02:00:00:00:00:&lt;port&gt;.</summary>
    public static AddPod Pod(string ip, uint port) => new(Ip(ip), new MacAddress(0x02_00_00_00_00_00UL + port), port, $"P4TAP_{port}");

    public static SetupHost Host(string ip = "200.1.1.2", string nodeIp = "192.168.1.10", string mac = "00:09:00:08:b5:01", uint port = 1) =>
        new("P4TAP_1", Ip(ip), Mac(mac), port, Ip(nodeIp));

    /// <summary>Applies the commands in turn with an allocator that knows the state's ids, as the writer keeps it.</summary>
    public static ManagerState Apply(this ManagerState state, params StateCommand[] commands)
    {
        var ids = IdAllocator.From(state);
        foreach (var command in commands)
        {
            state = command.Apply(state, ids);
        }

        return state;
    }

    public static ManagerState Given(params StateCommand[] commands) => ManagerState.Empty.Apply(commands);
}
