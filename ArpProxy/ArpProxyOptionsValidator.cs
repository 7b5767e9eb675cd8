using Microsoft.Extensions.Options;

namespace ArpProxy;

internal sealed class ArpProxyOptionsValidator : IValidateOptions<ArpProxyOptions>
{
    // IFNAMSIZ is 16 with the terminating NUL.
    private const int MaxInterfaceNameLength = 15;

    public ValidateOptionsResult Validate(string? name, ArpProxyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var value = options.Interface;
        if (string.IsNullOrWhiteSpace(value))
        {
            return ValidateOptionsResult.Fail(
                $"{ArpProxyOptions.InterfaceKey}: not set; set the environment variable to the interface to answer on (e.g. {ArpProxyOptions.InterfaceKey}=P4TAP_0)");
        }

        if (value.Length > MaxInterfaceNameLength || value is "." or ".." || value.AsSpan().IndexOfAny('/', ':') >= 0 || value.Any(char.IsWhiteSpace))
        {
            return ValidateOptionsResult.Fail($"{ArpProxyOptions.InterfaceKey}: '{value}' is not an interface name");
        }

        return ValidateOptionsResult.Success;
    }
}
