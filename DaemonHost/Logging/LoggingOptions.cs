namespace DaemonHost.Logging;

/// <summary>Keys LogLevel and LogFile, as in the Go original's config.yaml (LogLevel) plus the file path.</summary>
public sealed class LoggingOptions
{
    public string LogLevel { get; set; } = "Info";

    /// <summary>Empty: console only.</summary>
    public string LogFile { get; set; } = string.Empty;
}
