using Serilog.Events;

namespace DaemonHost.Logging;

/// <summary>Log level names: Serilog's and logrus's (Panic, Warn, Info, Trace), case-insensitive.</summary>
public static class LogLevels
{
    public const string Accepted = "Trace, Debug, Info, Warn, Error, Fatal (or Verbose, Information, Warning, Panic)";

    public static bool TryParse(string? name, out LogEventLevel level)
    {
        switch (name?.Trim().ToUpperInvariant())
        {
            case "TRACE" or "VERBOSE":
                level = LogEventLevel.Verbose;
                return true;
            case "DEBUG":
                level = LogEventLevel.Debug;
                return true;
            case "INFO" or "INFORMATION":
                level = LogEventLevel.Information;
                return true;
            case "WARN" or "WARNING":
                level = LogEventLevel.Warning;
                return true;
            case "ERROR":
                level = LogEventLevel.Error;
                return true;
            case "FATAL" or "PANIC":
                level = LogEventLevel.Fatal;
                return true;
            default:
                level = default;
                return false;
        }
    }
}
