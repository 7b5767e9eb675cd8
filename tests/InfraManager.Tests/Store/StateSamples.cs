using System.Collections.Immutable;
using Google.Protobuf;
using InfraManager.State;
using Packets;

namespace InfraManager.Tests.Store;

/// <summary>Desired states to commit: records as the manager makes them, and small edits of a state.</summary>
internal static class StateSamples
{
    public static IPv4Address Ip(string text) => IPv4Address.Parse(text);

    public static EndpointRecord Pod(string ip, uint portId) =>
        new(Ip(ip), new MacAddress(0x0009_0008_b500UL + portId), portId, $"P4TAP_{portId}", EndpointKind.Pod);

    public static ServiceKey Key(string clusterIp, ServiceProtocol protocol, ushort port) => new(Ip(clusterIp), protocol, port);

    public static ServiceRecord Service(ServiceKey key, uint groupId, params (string Ip, ushort Port, uint MemberId)[] backends) =>
        new(key, groupId, backends.Select(b => new Backend(new BackendAddress(Ip(b.Ip), b.Port), b.MemberId)));

    public static HostInterfaceRecord Host(uint portId) =>
        new("P4TAP_1", Ip("200.1.1.2"), MacAddress.Parse("00:09:00:08:b5:01"), portId, Ip("192.168.1.10"));

    /// <summary>Something of every kind: pods, the host interface and node IP, two services, Felix entries, SNAT, cursors.</summary>
    public static ManagerState Full()
    {
        var host = Host(1);
        var udp = Key("10.96.0.10", ServiceProtocol.Udp, 53);
        var tcp = Key("10.96.0.10", ServiceProtocol.Tcp, 53);
        return ManagerState.Empty
            .WithEndpoint(Pod("10.244.0.5", 3))
            .WithEndpoint(Pod("10.244.0.6", 4))
            .WithEndpoint(new EndpointRecord(host.Ip, host.Mac, host.PortId, host.Name, EndpointKind.HostInterface))
            .WithEndpoint(new EndpointRecord(host.NodeIp, host.Mac, host.PortId, host.Name, EndpointKind.NodeIp))
            .WithService(Service(udp, 1, ("10.244.0.5", 53, 1), ("10.244.0.6", 53, 2)))
            .WithService(Service(tcp, 2, ("10.244.0.5", 53, 3)))
            .WithFelix("ActivePolicy/default/allow-dns", [0x0a, 0x03, 0x64, 0x6e, 0x73, 0xfb, 0xff])
            .WithFelix("HostEndpoint/node-1/eth0", [])
            with
        {
            Host = host,
            Snat = new SnatRecord("192.168.1.10", "fd00::10", ImmutableSortedSet.Create(StringComparer.Ordinal, "10.244.0.0/16", "10.96.0.0/12")),
            Cursors = new IdCursors(4, 3),
        };
    }

    public static ManagerState WithEndpoint(this ManagerState state, EndpointRecord endpoint) =>
        state with { Endpoints = state.Endpoints.SetItem(endpoint.Ip, endpoint) };

    public static ManagerState WithoutEndpoint(this ManagerState state, string ip) =>
        state with { Endpoints = state.Endpoints.Remove(Ip(ip)) };

    public static ManagerState WithService(this ManagerState state, ServiceRecord service) =>
        state with { Services = state.Services.SetItem(service.Key, service) };

    public static ManagerState WithoutService(this ManagerState state, ServiceKey key) =>
        state with { Services = state.Services.Remove(key) };

    public static ManagerState WithFelix(this ManagerState state, string key, byte[] message) =>
        state with { Felix = state.Felix.SetItem(key, ByteString.CopyFrom(message)) };

    public static ManagerState WithoutFelix(this ManagerState state, string key) =>
        state with { Felix = state.Felix.Remove(key) };

    /// <summary>The same content in new dictionaries, as a request handler that rebuilt everything would hand over.</summary>
    public static ManagerState Rebuilt(this ManagerState state) => state with
    {
        Endpoints = ManagerState.Empty.Endpoints.AddRange(state.Endpoints),
        Services = ManagerState.Empty.Services.AddRange(state.Services.Values.Select(s => KeyValuePair.Create(s.Key, new ServiceRecord(s.Key, s.GroupId, s.Backends)))),
        Felix = ManagerState.Empty.Felix.AddRange(state.Felix.Select(f => KeyValuePair.Create(f.Key, ByteString.CopyFrom(f.Value.Span)))),
        Snat = new SnatRecord(state.Snat.Ipv4, state.Snat.Ipv6, ImmutableSortedSet.CreateRange(StringComparer.Ordinal, state.Snat.Prefixes)),
    };

    /// <summary>One edit chosen by <paramref name="step"/>: low three bits pick what, the rest which.</summary>
    public static ManagerState Edit(ManagerState state, byte step)
    {
        var which = step >> 3;
        var service = Key($"10.96.0.{which % 8}", which % 2 == 0 ? ServiceProtocol.Tcp : ServiceProtocol.Udp, 80);
        return (step & 7) switch
        {
            0 => state.WithEndpoint(Pod($"10.244.0.{which}", (uint)which + 2)),
            1 => state.WithoutEndpoint($"10.244.0.{which}"),
            2 => state.WithService(Service(service, (uint)which + 1, [.. Enumerable.Range(0, (which % 3) + 1).Select(i => ($"10.244.1.{i}", (ushort)8080, (uint)((which * 4) + i + 1)))])),
            3 => state.WithoutService(service),
            4 => state.WithFelix($"ActivePolicy/default/p{which % 5}", [(byte)which, step]),
            5 => state.WithoutFelix($"ActivePolicy/default/p{which % 5}"),
            6 => state with { Host = which % 2 == 0 ? Host((uint)which) : null },
            _ => state with
            {
                Snat = state.Snat with { Ipv4 = $"192.168.1.{which}", Prefixes = state.Snat.Prefixes.Add($"10.{which}.0.0/16") },
                Cursors = new IdCursors((uint)which + 1, (uint)which + 2),
            },
        };
    }
}
