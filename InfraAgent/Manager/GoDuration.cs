using System.Globalization;
using System.Text.RegularExpressions;
using DaemonHost.Configuration;

namespace InfraAgent.Manager;

/// <summary>Go's duration strings (300ms, 30s, 1m30s, 0s) as the Go agent's --timeout took them.</summary>
internal static partial class GoDuration
{
    public static TimeSpan Parse(string? value, string key)
    {
        var text = value?.Trim() ?? string.Empty;
        if (text == "0")
        {
            return TimeSpan.Zero;
        }

        var parts = Part().Matches(text);
        if (parts.Count == 0 || string.Concat(parts.Select(p => p.Value)) != text)
        {
            throw new DaemonConfigurationException($"{key}: '{value}' is not a duration like 500ms, 30s or 1m30s");
        }

        var total = TimeSpan.Zero;
        foreach (Match part in parts)
        {
            var amount = double.Parse(part.Groups[1].Value, CultureInfo.InvariantCulture);
            total += part.Groups[2].Value switch
            {
                "ms" => TimeSpan.FromMilliseconds(amount),
                "s" => TimeSpan.FromSeconds(amount),
                "m" => TimeSpan.FromMinutes(amount),
                _ => TimeSpan.FromHours(amount),
            };
        }

        return total;
    }

    [GeneratedRegex(@"(\d+(?:\.\d+)?)(ms|s|m|h)")]
    private static partial Regex Part();
}
