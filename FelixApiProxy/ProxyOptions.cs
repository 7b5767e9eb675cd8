namespace FelixApiProxy;

/// <summary>
/// The command line: where the agent's Felix socket is and how long to wait for it. Felix passes no
/// arguments, so the defaults are what runs on a node (reference-behaviour.md 6.9).
/// </summary>
internal sealed record ProxyOptions(string SocketPath, int DialAttempts, TimeSpan DialInterval)
{
    public const string DefaultSocketPath = "/var/run/calico/felix-dataplane.sock";
    public const string SocketEnvironmentVariable = "FELIX_DATAPLANE_SOCKET";

    public static ProxyOptions Default { get; } = new(DefaultSocketPath, 10, TimeSpan.FromSeconds(1));

    public static string Usage =>
        $"""
        usage: felix-api-proxy [--socket PATH]

        Felix's external dataplane driver: Felix starts it with fd 3 = the pipe from Felix and
        fd 4 = the pipe to Felix. It joins them to infraagent's unix socket and copies bytes both
        ways until either side closes.

          --socket PATH   the agent's socket (default {DefaultSocketPath};
                          the environment variable {SocketEnvironmentVariable} sets it too)
          -h, --help      this text

        It tries the socket {Default.DialAttempts} times, {Default.DialInterval.TotalSeconds:0} s apart, then exits with code 1.
        """;

    /// <summary>Parses the arguments; null means help was asked for. A bad argument is an <see cref="ArgumentException"/>.</summary>
    public static ProxyOptions? Parse(IReadOnlyList<string> args, string? socketFromEnvironment)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = string.IsNullOrEmpty(socketFromEnvironment) ? Default : Default with { SocketPath = socketFromEnvironment };
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "-h" or "--help":
                    return null;
                case "--socket" when i + 1 < args.Count && args[i + 1].Length > 0:
                    options = options with { SocketPath = args[++i] };
                    break;
                case "--socket":
                    throw new ArgumentException("--socket needs a path");
                default:
                    if (args[i].StartsWith("--socket=", StringComparison.Ordinal) && args[i].Length > "--socket=".Length)
                    {
                        options = options with { SocketPath = args[i]["--socket=".Length..] };
                        break;
                    }

                    throw new ArgumentException($"unknown argument '{args[i]}' (see --help)");
            }
        }

        return options;
    }
}
