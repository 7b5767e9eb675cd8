using DaemonHost.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace DaemonHost;

/// <summary>
/// The outer shell of every daemon: --help, the configuration, and one clear line on stderr with a
/// non-zero exit for what stops it from starting (1: configuration, 2: cannot start or gave up waiting).
/// </summary>
public static class DaemonProgram
{
    public const int ConfigurationError = 1;
    public const int StartError = 2;

    public static async Task<int> RunAsync(
        string program,
        string[] args,
        string defaultConfigFile,
        IReadOnlyList<DaemonFlag> flags,
        Func<IConfigurationRoot, CancellationToken, Task> run)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(run);
        if (DaemonConfiguration.WantsHelp(args))
        {
            Console.WriteLine(DaemonConfiguration.Usage(program, defaultConfigFile, flags));
            return 0;
        }

        try
        {
            var configuration = DaemonConfiguration.Load(args, defaultConfigFile, flags);
            await run(configuration, CancellationToken.None);
            return 0;
        }
        catch (DaemonConfigurationException e)
        {
            await Console.Error.WriteLineAsync($"{program}: configuration: {e.Message}");
            return ConfigurationError;
        }
        catch (OptionsValidationException e)
        {
            await Console.Error.WriteLineAsync($"{program}: configuration: {string.Join("; ", e.Failures)}");
            return ConfigurationError;
        }
        catch (Exception e) when (e is TimeoutException or DaemonStartException)
        {
            await Console.Error.WriteLineAsync($"{program}: {e.Message}");
            return StartError;
        }
        catch (IOException e)
        {
            // Kestrel's "address already in use" and the like.
            await Console.Error.WriteLineAsync($"{program}: cannot start: {e.Message}");
            return StartError;
        }
    }
}
