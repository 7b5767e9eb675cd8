using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace DaemonHost.Configuration;

/// <summary>Binds and validates an options object at start, so a bad value stops the daemon with one line naming its key.</summary>
public static class OptionsBinding
{
    /// <summary>
    /// Binds over <paramref name="options"/>, whose initial values are the defaults. <paramref name="bind"/> is the
    /// caller's <c>(c, o) =&gt; c.Bind(o)</c>: written where the options type is concrete, the configuration binder's
    /// source generator binds it without reflection, which the Native AOT daemons need.
    /// </summary>
    public static T BindValidated<T>(this IConfiguration configuration, T options, Action<IConfiguration, T> bind, IValidateOptions<T>? validator = null)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(bind);
        try
        {
            bind(configuration, options);
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
