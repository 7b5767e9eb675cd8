using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace DaemonHost.Configuration;

/// <summary>Binds and validates an options object at start, so a bad value stops the daemon with one line naming its key.</summary>
public static class OptionsBinding
{
    public static T BindValidated<T>(this IConfiguration configuration, IValidateOptions<T>? validator = null)
        where T : class, new() => configuration.BindValidated(new T(), validator);

    /// <summary>Binds over <paramref name="options"/>, whose initial values are the defaults.</summary>
    public static T BindValidated<T>(this IConfiguration configuration, T options, IValidateOptions<T>? validator = null)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(configuration);
        try
        {
            configuration.Bind(options);
        }
        catch (InvalidOperationException e)
        {
            // "Failed to convert configuration value '…' at 'DeviceId' to type 'System.UInt64'."
            throw new DaemonConfigurationException(e.Message.ReplaceLineEndings(" "), e);
        }

        var result = validator?.Validate(Options.DefaultName, options);
        if (result is { Failed: true })
        {
            throw new DaemonConfigurationException(string.Join("; ", result.Failures ?? [result.FailureMessage]));
        }

        return options;
    }
}
