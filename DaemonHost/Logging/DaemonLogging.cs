using DaemonHost.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Serilog;
using Serilog.Events;

namespace DaemonHost.Logging;

/// <summary>Serilog to the console and, when configured, to a file; the level from configuration.</summary>
public static class DaemonLogging
{
    private const string Template = "{Timestamp:yyyy-MM-ddTHH:mm:ss.fffzzz} [{Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}";

    public static IHostApplicationBuilder AddDaemonLogging(this IHostApplicationBuilder builder, LoggingOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSerilog(CreateLogger(options), dispose: true);
        return builder;
    }

    public static Serilog.Core.Logger CreateLogger(LoggingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!LogLevels.TryParse(options.LogLevel, out var level))
        {
            throw new DaemonConfigurationException($"LogLevel: '{options.LogLevel}' is not a log level; use one of {LogLevels.Accepted}");
        }

        var configuration = new LoggerConfiguration()
            .MinimumLevel.Is(level)
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .MinimumLevel.Override("Grpc", LogEventLevel.Warning)
            .Enrich.FromLogContext()
            .WriteTo.Console(outputTemplate: Template, formatProvider: System.Globalization.CultureInfo.InvariantCulture);
        if (!string.IsNullOrEmpty(options.LogFile))
        {
            EnsureWritable(options.LogFile);
            configuration.WriteTo.File(options.LogFile, outputTemplate: Template, formatProvider: System.Globalization.CultureInfo.InvariantCulture);
        }

        return configuration.CreateLogger();
    }

    // Serilog's file sink only reports a failure to its self-log; say it at start instead.
    private static void EnsureWritable(string path)
    {
        try
        {
            var directory = Path.GetDirectoryName(Path.GetFullPath(path));
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }

            using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DaemonConfigurationException($"LogFile: cannot write {path}: {e.Message}", e);
        }
    }
}
