using Microsoft.Extensions.Configuration;

namespace DaemonHost.Configuration;

/// <summary>
/// A daemon's configuration: its YAML file, then the environment, then its flags, each overriding
/// the one before. Keys are case-insensitive, so the Go original's file keys and viper-style
/// variables (LOGLEVEL) keep working; nested keys come from the environment as SECTION__KEY.
/// </summary>
public static class DaemonConfiguration
{
    public const string ConfigFlag = "--config";

    /// <summary>Reads the configuration; wrong files and flags become a <see cref="DaemonConfigurationException"/>.</summary>
    /// <param name="args">The command line, without the program name.</param>
    /// <param name="defaultConfigFile">Read when present; <c>--config</c> names a file that must exist.</param>
    /// <param name="flags">The flags this daemon accepts besides <c>--config</c>.</param>
    public static IConfigurationRoot Load(IReadOnlyList<string> args, string defaultConfigFile, IReadOnlyList<DaemonFlag> flags)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(flags);
        var (configFile, explicitFile, flagValues) = ParseArguments(args, defaultConfigFile, flags);

        var builder = new ConfigurationBuilder();
        if (explicitFile && !File.Exists(configFile))
        {
            throw new DaemonConfigurationException($"{ConfigFlag}: file {configFile} does not exist");
        }

        if (File.Exists(configFile))
        {
            builder.Add(new YamlConfigurationSource(Path.GetFullPath(configFile)));
        }

        builder.AddEnvironmentVariables();
        builder.AddInMemoryCollection(flagValues);
        try
        {
            return builder.Build();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DaemonConfigurationException($"config file {configFile}: {e.Message}", e);
        }
    }

    /// <summary>Whether the command line asks for help.</summary>
    public static bool WantsHelp(IReadOnlyList<string> args) => args.Any(a => a is "-h" or "--help");

    public static string Usage(string program, string defaultConfigFile, IReadOnlyList<DaemonFlag> flags)
    {
        ArgumentNullException.ThrowIfNull(flags);
        var lines = new List<string>
        {
            $"usage: {program} [{ConfigFlag} FILE] [flags]",
            string.Empty,
            $"  {ConfigFlag,-22} YAML configuration file (default {defaultConfigFile})",
        };
        lines.AddRange(flags.Select(f => $"  {f.Switch,-22} {f.Help} (key {f.Key})"));
        lines.Add(string.Empty);
        lines.Add("Every key can also be set in the environment, e.g. LOGLEVEL=Debug or SECTION__KEY=value.");
        return string.Join(Environment.NewLine, lines);
    }

    private static (string File, bool Explicit, Dictionary<string, string?> Values) ParseArguments(
        IReadOnlyList<string> args, string defaultConfigFile, IReadOnlyList<DaemonFlag> flags)
    {
        var configFile = defaultConfigFile;
        var explicitFile = false;
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < args.Count; i++)
        {
            var (name, inlineValue) = SplitFlag(args[i]);
            var flag = flags.FirstOrDefault(f => string.Equals(f.Switch, name, StringComparison.Ordinal));
            if (name != ConfigFlag && flag is null)
            {
                throw new DaemonConfigurationException($"unknown flag '{args[i]}' (see --help)");
            }

            var value = inlineValue ?? (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : null);
            if (value is null)
            {
                throw new DaemonConfigurationException($"{name}: needs a value");
            }

            if (flag is null)
            {
                configFile = value;
                explicitFile = true;
            }
            else
            {
                values[flag.Key] = value;
            }
        }

        return (configFile, explicitFile, values);
    }

    private static (string Name, string? Value) SplitFlag(string argument)
    {
        var equals = argument.IndexOf('=', StringComparison.Ordinal);
        return equals > 0 ? (argument[..equals], argument[(equals + 1)..]) : (argument, null);
    }
}
