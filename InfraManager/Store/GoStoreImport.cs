using System.Collections.Immutable;
using System.Text.Json;
using InfraManager.State;
using Packets;

namespace InfraManager.Store;

/// <summary>
/// Reads the Go manager's store (reference-behaviour 5.3): cni_db.json (pod IP → EndPoint),
/// services_db.json ("ClusterIp:Proto:Port" → Service) and setup_db.json (main only), each a map
/// written by json.MarshalIndent. Field names are matched as Go writes them; a field Go left out
/// reads as its zero value, as Go's own decoder would. An entry that cannot be used is skipped
/// with a Warning; a file that is not JSON is a <see cref="StoreException"/>.
/// </summary>
internal static class GoStoreImport
{
    /// <summary>Member and group ids are 24-bit (mod_blob_ptr); 0 means none.</summary>
    public const uint MaxId = (1u << 24) - 1;

    /// <summary>The pod gateway (types.DefaultRoute) that main keeps in cni_db.json; the manager writes its ARP rule itself.</summary>
    private static readonly IPv4Address PodGateway = new(0xA9FE0101);

    public static bool Exists(string directory) =>
        File.Exists(Path.Combine(directory, StoreFiles.GoEndpoints))
        || File.Exists(Path.Combine(directory, StoreFiles.GoServices))
        || File.Exists(Path.Combine(directory, StoreFiles.GoSetup));

    public static ManagerState Read(string directory, ILogger logger)
    {
        using var endpointsFile = Load(Path.Combine(directory, StoreFiles.GoEndpoints));
        using var servicesFile = Load(Path.Combine(directory, StoreFiles.GoServices));
        using var setupFile = Load(Path.Combine(directory, StoreFiles.GoSetup));

        var hostInterface = HostInterface(setupFile, logger);
        var entries = ReadEndpoints(endpointsFile, logger);
        var (endpoints, host) = Classify(entries, hostInterface, setupFile.Name, logger);
        var (services, cursors) = ReadServices(servicesFile, logger);
        return ManagerState.Empty with
        {
            Endpoints = endpoints,
            Services = services,
            Host = host,
            Cursors = cursors,
        };
    }

    /// <summary>A parsed Go file; an absent, empty (truncated at pipeline reload) or "null" (nil map) file is an empty map.</summary>
    private static GoFile Load(string path)
    {
        var name = Path.GetFileName(path);
        if (!File.Exists(path))
        {
            return new GoFile(name, null);
        }

        try
        {
            var content = File.ReadAllBytes(path);
            if (content.AsSpan().Trim(" \t\r\n"u8).IsEmpty)
            {
                return new GoFile(name, null);
            }

            var document = JsonDocument.Parse(content);
            var kind = document.RootElement.ValueKind;
            if (kind is JsonValueKind.Object or JsonValueKind.Null)
            {
                return new GoFile(name, document);
            }

            document.Dispose();
            throw new StoreException($"{path}: expected a JSON object (a Go map), found {kind}");
        }
        catch (Exception e) when (StoreFiles.IsIoError(e) || e is JsonException)
        {
            throw new StoreException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>setup_db.json's HostInterface: its IP, and its MAC when that one is usable.</summary>
    private static (IPv4Address Ip, MacAddress? Mac)? HostInterface(GoFile setup, ILogger logger)
    {
        if (setup.Root is not { } root)
        {
            return null;
        }

        try
        {
            if (GoObject(root, "HostInterface") is not { } hostInterface || GoString(hostInterface, "Ip") is not { Length: > 0 } ip)
            {
                return null;
            }

            MacAddress? mac = MacAddress.TryParse(GoString(hostInterface, "Mac"), out var parsed) ? parsed : null;
            return (JsonFields.ParseIp(ip, "HostInterface.Ip"), mac);
        }
        catch (InvalidDataException e)
        {
            StoreLog.GoEntrySkipped(logger, setup.Name, "HostInterface", e.Message);
            return null;
        }
    }

    private static SortedDictionary<IPv4Address, (MacAddress Mac, uint PortId)> ReadEndpoints(GoFile file, ILogger logger)
    {
        var entries = new SortedDictionary<IPv4Address, (MacAddress Mac, uint PortId)>(Ipv4Comparer.Instance);
        if (file.Root is not { } root)
        {
            return entries;
        }

        foreach (var entry in root.EnumerateObject())
        {
            IPv4Address ip;
            MacAddress mac;
            uint portId;
            try
            {
                var value = JsonFields.AsObject(entry.Value, "entry");
                var ipText = GoString(value, "PodIpAddress");
                ip = JsonFields.ParseIp(ipText.Length > 0 ? ipText : entry.Name, "PodIpAddress");
                if (ip == PodGateway)
                {
                    StoreLog.GoGatewaySkipped(logger, file.Name, ip);
                    continue;
                }

                mac = JsonFields.ParseMac(GoString(value, "PodMacAddress"), "PodMacAddress");
                portId = GoUInt32(value, "InterfaceID");
            }
            catch (InvalidDataException e)
            {
                StoreLog.GoEntrySkipped(logger, file.Name, entry.Name, e.Message);
                continue;
            }

            if (!entries.TryAdd(ip, (mac, portId)))
            {
                StoreLog.GoEntrySkipped(logger, file.Name, entry.Name, "a second entry for the same IP");
            }
        }

        return entries;
    }

    /// <summary>
    /// The host interface's own entry and the node IP entries (same port, same MAC) are not pods. Only
    /// main's setup_db.json says which IP is the host's; without it every entry is taken for a pod.
    /// </summary>
    private static (ImmutableSortedDictionary<IPv4Address, EndpointRecord> Endpoints, HostInterfaceRecord? Host) Classify(
        SortedDictionary<IPv4Address, (MacAddress Mac, uint PortId)> entries, (IPv4Address Ip, MacAddress? Mac)? hostInterface, string setupFile, ILogger logger)
    {
        (MacAddress Mac, uint PortId)? hostEntry = null;
        var hostIp = hostInterface?.Ip;
        if (hostIp is { } ip)
        {
            if (entries.TryGetValue(ip, out var found))
            {
                hostEntry = found;
            }
            else
            {
                StoreLog.GoHostInterfaceMissing(logger, setupFile, ip);
            }
        }

        var endpoints = ManagerState.Empty.Endpoints.ToBuilder();
        IPv4Address? nodeIp = null;
        foreach (var (address, (mac, portId)) in entries)
        {
            var kind = EndpointKind.Pod;
            if (hostEntry is { } host)
            {
                if (address == hostIp)
                {
                    kind = EndpointKind.HostInterface;
                }
                else if (portId == host.PortId && mac == host.Mac)
                {
                    kind = EndpointKind.NodeIp;
                    nodeIp ??= address;
                }
            }

            endpoints.Add(address, new EndpointRecord(address, mac, portId, string.Empty, kind));
        }

        HostInterfaceRecord? record = null;
        if (hostEntry is { } hostValue && hostIp is { } hostAddress)
        {
            var mac = hostInterface?.Mac ?? hostValue.Mac;
            record = new HostInterfaceRecord(string.Empty, hostAddress, mac, hostValue.PortId, nodeIp ?? hostAddress);
        }

        return (endpoints.ToImmutable(), record);
    }

    private static (ImmutableSortedDictionary<ServiceKey, ServiceRecord> Services, IdCursors Cursors) ReadServices(GoFile file, ILogger logger)
    {
        var services = new SortedDictionary<ServiceKey, GoService>();
        if (file.Root is { } root)
        {
            foreach (var entry in root.EnumerateObject())
            {
                var service = ReadService(file.Name, entry, logger);
                if (service is not null && !services.TryAdd(service.Key, service))
                {
                    StoreLog.GoEntrySkipped(logger, file.Name, entry.Name, "a second entry for the same service");
                }
            }
        }

        return AssignIds(file.Name, services.Values, logger);
    }

    private static GoService? ReadService(string file, JsonProperty entry, ILogger logger)
    {
        ServiceKey key;
        uint groupId;
        JsonElement? endpoints;
        try
        {
            var value = JsonFields.AsObject(entry.Value, "entry");
            var protocolName = GoString(value, "Proto");
            if (!ServiceProtocols.TryParse(protocolName, out var protocol))
            {
                StoreLog.GoProtocolSkipped(logger, file, entry.Name, protocolName);
                return null;
            }

            key = new ServiceKey(JsonFields.ParseIp(GoString(value, "ClusterIp"), "ClusterIp"), protocol, GoPort(value, "Port"));
            groupId = GoUInt32(value, "GroupID");
            endpoints = GoObject(value, "ServiceEndPoint");
        }
        catch (InvalidDataException e)
        {
            StoreLog.GoEntrySkipped(logger, file, entry.Name, e.Message);
            return null;
        }

        var backends = new SortedDictionary<BackendAddress, uint>();
        if (endpoints is { } map)
        {
            foreach (var backend in map.EnumerateObject())
            {
                var name = $"{entry.Name} backend {backend.Name}";
                try
                {
                    var value = JsonFields.AsObject(backend.Value, "entry");
                    var ipText = GoString(value, "IpAddress");
                    var address = new BackendAddress(JsonFields.ParseIp(ipText.Length > 0 ? ipText : backend.Name, "IpAddress"), GoPort(value, "Port"));
                    if (!backends.TryAdd(address, GoUInt32(value, "MemberID")))
                    {
                        StoreLog.GoEntrySkipped(logger, file, name, "a second entry for the same backend");
                    }
                }
                catch (InvalidDataException e)
                {
                    StoreLog.GoEntrySkipped(logger, file, name, e.Message);
                }
            }
        }

        if (backends.Count == 0)
        {
            StoreLog.GoEntrySkipped(logger, file, entry.Name, "no backends, so nothing was programmed for it");
            return null;
        }

        return new GoService(key, groupId, backends);
    }

    /// <summary>
    /// Keeps every id that is in range and not taken by an earlier service or backend (in key order),
    /// and gives the others fresh ones. The Go manager repeated member ids from a service's 17th
    /// backend ((group &lt;&lt; 4) | ((n + 1) &amp; 0xF)) and reused group ids after a restart (they were not persisted).
    /// </summary>
    private static (ImmutableSortedDictionary<ServiceKey, ServiceRecord> Services, IdCursors Cursors) AssignIds(
        string file, IReadOnlyCollection<GoService> services, ILogger logger)
    {
        var usedGroups = new HashSet<uint>();
        var usedMembers = new HashSet<uint>();
        var keptGroups = new HashSet<ServiceKey>();
        var keptMembers = new HashSet<(ServiceKey, BackendAddress)>();
        foreach (var service in services)
        {
            if (InRange(service.GroupId) && usedGroups.Add(service.GroupId))
            {
                keptGroups.Add(service.Key);
            }

            foreach (var (address, memberId) in service.Backends)
            {
                if (InRange(memberId) && usedMembers.Add(memberId))
                {
                    keptMembers.Add((service.Key, address));
                }
            }
        }

        var groups = new IdPool(usedGroups);
        var members = new IdPool(usedMembers);
        var records = ManagerState.Empty.Services.ToBuilder();
        foreach (var service in services)
        {
            var groupId = service.GroupId;
            if (!keptGroups.Contains(service.Key))
            {
                groupId = groups.Take();
                StoreLog.GoGroupIdReassigned(logger, file, service.Key, service.GroupId, Why(service.GroupId, "is used by another service"), groupId);
            }

            var backends = new List<Backend>(service.Backends.Count);
            foreach (var (address, goMemberId) in service.Backends)
            {
                var memberId = goMemberId;
                if (!keptMembers.Contains((service.Key, address)))
                {
                    memberId = members.Take();
                    StoreLog.GoMemberIdReassigned(logger, file, service.Key, address, goMemberId, Why(goMemberId, "is used by another backend"), memberId);
                }

                backends.Add(new Backend(address, memberId));
            }

            records.Add(service.Key, new ServiceRecord(service.Key, groupId, backends));
        }

        return (records.ToImmutable(), new IdCursors(members.Next, groups.Next));
    }

    private static bool InRange(uint id) => id is >= 1 and <= MaxId;

    private static string Why(uint id, string taken) => InRange(id) ? taken : "is outside 1..16777215";

    private static JsonElement? GoObject(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? JsonFields.AsObject(value, name) : null;

    private static string GoString(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? JsonFields.AsString(value, name) : string.Empty;

    private static uint GoUInt32(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) ? JsonFields.AsUInt32(value, name) : 0;

    /// <summary>Go kept ports as uint32 (v23.01) or uint16 (main); anything above 65535 never reached a table.</summary>
    private static ushort GoPort(JsonElement parent, string name)
    {
        var port = GoUInt32(parent, name);
        return port <= ushort.MaxValue ? (ushort)port : throw new InvalidDataException($"{name}: {port} is not a port");
    }

    private sealed record GoService(ServiceKey Key, uint GroupId, SortedDictionary<BackendAddress, uint> Backends);

    private sealed class GoFile(string name, JsonDocument? document) : IDisposable
    {
        public string Name { get; } = name;

        /// <summary>The map, or null for an absent or empty file.</summary>
        public JsonElement? Root => document?.RootElement is { ValueKind: JsonValueKind.Object } root ? root : null;

        public void Dispose() => document?.Dispose();
    }

    /// <summary>Hands out ids not yet used, continuing after the highest one and wrapping past <see cref="MaxId"/>.</summary>
    private sealed class IdPool(HashSet<uint> used)
    {
        private uint _highest = used.Count == 0 ? 0 : used.Max();

        /// <summary>Where an allocator continues: after the highest id in use.</summary>
        public uint Next => _highest >= MaxId ? 1 : _highest + 1;

        public uint Take()
        {
            // Only ids kept from the Go files and those handed out here are in use: far fewer than 2^24.
            var id = Next;
            while (used.Contains(id))
            {
                id = id >= MaxId ? 1 : id + 1;
            }

            used.Add(id);
            _highest = Math.Max(_highest, id);
            return id;
        }
    }
}
