using Microsoft.Extensions.Options;

namespace DaemonHost.Logging;

public sealed class LoggingOptionsValidator : IValidateOptions<LoggingOptions>
{
    public ValidateOptionsResult Validate(string? name, LoggingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return LogLevels.TryParse(options.LogLevel, out _)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"LogLevel: '{options.LogLevel}' is not a log level; use one of {LogLevels.Accepted}");
    }
}
