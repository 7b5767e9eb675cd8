using System.Globalization;
using System.Net;

namespace DaemonHost.Configuration;

/// <summary>A host:port address from configuration (127.0.0.1:50002, localhost:9559, [::1]:9559).</summary>
public readonly record struct HostPort(string Host, int Port)
{
    public static HostPort Parse(string? value, string key)
    {
        var text = value?.Trim() ?? string.Empty;
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1)
        {
            throw new DaemonConfigurationException($"{key}: '{value}' is not host:port");
        }

        var host = text[..colon].Trim('[', ']');
        if (!int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            throw new DaemonConfigurationException($"{key}: port in '{value}' must be 1..65535");
        }

        if (host != "localhost" && !IPAddress.TryParse(host, out _) && Uri.CheckHostName(host) != UriHostNameType.Dns)
        {
            throw new DaemonConfigurationException($"{key}: host in '{value}' is not an IP address or a host name");
        }

        return new HostPort(host, port);
    }

    /// <summary>The address to listen on: the IP itself, or loopback for localhost.</summary>
    public IPAddress ListenAddress => Host == "localhost" ? IPAddress.Loopback : IPAddress.Parse(Host);

    public override string ToString() => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}
