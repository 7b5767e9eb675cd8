using System.Globalization;
using System.Net;
using Grpc.Core;
using InfraManager.State;
using Packets;
using Proto.Infra;

namespace InfraManager.Api;

/// <summary>
/// Parses the agent's requests into values that cannot be invalid. Anything malformed is an
/// RpcException(InvalidArgument, "&lt;field&gt;: &lt;why&gt;") naming the field as the proto spells it;
/// nothing reaches the state or the target.
/// </summary>
internal static class AgentRequestTranslator
{
    /// <summary>The first IPv4 address of CreateNetwork's add_request.container_ips.</summary>
    public static IPv4Address PodAddress(CreateNetworkRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.AddRequest is null)
        {
            throw Invalid("add_request", "required");
        }

        var ips = request.AddRequest.ContainerIps;
        if (ips.Count == 0)
        {
            throw Invalid("add_request.container_ips", "at least one IPv4 address is required");
        }

        for (var i = 0; i < ips.Count; i++)
        {
            var field = $"add_request.container_ips[{i}].address";
            var text = ips[i]?.Address ?? string.Empty;
            var bare = WithoutPrefix(text, field);
            if (!IPAddress.TryParse(bare, out var address) || (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && !DottedQuad(bare)))
            {
                throw Invalid(field, $"'{text}' is not an IP address");
            }

            if (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
            {
                return Unicast(IPv4Address.FromIPAddress(address), field);
            }
        }

        throw Invalid("add_request.container_ips", "no IPv4 address (k8s_dp routes IPv4 only)");
    }

    /// <summary>An IPv4 address, with or without a /prefix (the agent sends 10.244.0.6/32).</summary>
    public static IPv4Address Ipv4(string? text, string field)
    {
        if (string.IsNullOrEmpty(text))
        {
            throw Invalid(field, "required");
        }

        var bare = WithoutPrefix(text, field);
        return DottedQuad(bare) && IPv4Address.TryParse(bare, out var address)
            ? Unicast(address, field)
            : throw Invalid(field, $"'{text}' is not an IPv4 address");
    }

    /// <summary>A unicast MAC address such as 02:00:00:00:00:02.</summary>
    public static MacAddress Mac(string? text, string field)
    {
        if (string.IsNullOrEmpty(text))
        {
            throw Invalid(field, "required");
        }

        if (!MacAddress.TryParse(text, out var mac))
        {
            throw Invalid(field, $"'{text}' is not a MAC address");
        }

        return mac.IsZero || mac.IsMulticast ? throw Invalid(field, $"{mac} is not a unicast MAC address") : mac;
    }

    /// <summary>A Linux interface name (1-15 characters, no '/', ':' or white space).</summary>
    public static string InterfaceName(string? text, string field)
    {
        if (string.IsNullOrEmpty(text))
        {
            throw Invalid(field, "required");
        }

        if (text.Length > 15 || text.Any(c => c is '/' or ':' || char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            throw Invalid(field, $"'{text}' is not an interface name");
        }

        return text;
    }

    /// <summary>The service port of a NatTranslation: endpoint.ipv4_addr, proto, endpoint.port.</summary>
    public static ServiceKey Service(NatTranslation translation)
    {
        ArgumentNullException.ThrowIfNull(translation);
        if (translation.Endpoint is null)
        {
            throw Invalid("endpoint", "required");
        }

        var ip = Ipv4(translation.Endpoint.Ipv4Addr, "endpoint.ipv4_addr");
        var port = Port(translation.Endpoint.Port, "endpoint.port");
        return new ServiceKey(ip, Protocol(translation.Proto), port);
    }

    /// <summary>backends[i].dst_ep as backend addresses (src_ep and is_real_ip are not used by k8s_dp).</summary>
    public static IReadOnlyList<BackendAddress> Backends(NatTranslation translation)
    {
        ArgumentNullException.ThrowIfNull(translation);
        var backends = new List<BackendAddress>(translation.Backends.Count);
        for (var i = 0; i < translation.Backends.Count; i++)
        {
            var destination = translation.Backends[i]?.DstEp ?? throw Invalid($"backends[{i}].dst_ep", "required");
            backends.Add(new BackendAddress(
                Ipv4(destination.Ipv4Addr, $"backends[{i}].dst_ep.ipv4_addr"),
                Port(destination.Port, $"backends[{i}].dst_ep.port")));
        }

        return backends;
    }

    /// <summary>A CIDR prefix such as 10.0.0.0/8 or fd00::/64, as given.</summary>
    public static string Prefix(string? text, string field)
    {
        if (string.IsNullOrEmpty(text))
        {
            throw Invalid(field, "required");
        }

        return IPNetwork.TryParse(text, out var network) ? network.ToString() : throw Invalid(field, $"'{text}' is not an IP prefix");
    }

    /// <summary>An optional IP address of the given family ("" when unset).</summary>
    public static string OptionalIp(string? text, System.Net.Sockets.AddressFamily family, string field)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        return IPAddress.TryParse(text, out var address) && address.AddressFamily == family && (family != System.Net.Sockets.AddressFamily.InterNetwork || DottedQuad(text))
            ? address.ToString()
            : throw Invalid(field, $"'{text}' is not an {(family == System.Net.Sockets.AddressFamily.InterNetwork ? "IPv4" : "IPv6")} address");
    }

    public static RpcException Invalid(string field, string why) => new(new Status(StatusCode.InvalidArgument, $"{field}: {why}"));

    private static ServiceProtocol Protocol(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            throw Invalid("proto", "required (TCP or UDP)");
        }

        if (ServiceProtocols.TryParse(text, out var protocol))
        {
            return protocol;
        }

        throw string.Equals(text, "SCTP", StringComparison.OrdinalIgnoreCase)
            ? Invalid("proto", "SCTP is not supported: k8s_dp balances TCP and UDP only; nothing was programmed")
            : Invalid("proto", $"'{text}' is not a protocol k8s_dp balances (TCP or UDP)");
    }

    private static ushort Port(uint port, string field) =>
        port is >= 1 and <= 65535 ? (ushort)port : throw Invalid(field, $"{port.ToString(CultureInfo.InvariantCulture)} is not a port (1-65535)");

    private static string WithoutPrefix(string text, string field)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return text;
        }

        var prefix = text[(slash + 1)..];
        var maxLength = text.AsSpan(0, slash).Contains(':') ? 128 : 32;
        return int.TryParse(prefix, NumberStyles.None, CultureInfo.InvariantCulture, out var length) && length <= maxLength
            ? text[..slash]
            : throw Invalid(field, $"'{text}' has a bad prefix length");
    }

    // IPAddress.TryParse takes inet_aton's forms too ("10.244.0" is 10.244.0.0, "010.1.1.1" is octal 8.1.1.1):
    // an address has four decimal parts without leading zeros.
    private static bool DottedQuad(string text)
    {
        var parts = text.Split('.');
        return parts.Length == 4 && parts.All(p => p.Length is >= 1 and <= 3 && (p.Length == 1 || p[0] != '0') && p.All(char.IsAsciiDigit) && int.Parse(p, CultureInfo.InvariantCulture) <= 255);
    }

    private static IPv4Address Unicast(IPv4Address address, string field)
    {
        var first = address.Value >> 24;
        return address.Value == 0 || address.Value == uint.MaxValue || first is >= 224 and <= 239 || first == 127
            ? throw Invalid(field, $"{address} is not a unicast address a pod or service can have")
            : address;
    }
}
