using FelixApiProxy;

// Felix reads nothing from its driver's stdout or stderr: the log is plain lines on stderr, which
// calico-node's log collects. No logging framework, to keep this native binary small.
static void Log(string message) => Console.Error.WriteLine($"{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ss.fffZ} felix-api-proxy: {message}");

ProxyOptions? options;
try
{
    options = ProxyOptions.Parse(args, Environment.GetEnvironmentVariable(ProxyOptions.SocketEnvironmentVariable));
}
catch (ArgumentException e)
{
    Log(e.Message);
    return 2;
}

if (options is null)
{
    Console.WriteLine(ProxyOptions.Usage);
    return 0;
}

return await FelixProxy.RunAsync(options, TimeProvider.System, Log, CancellationToken.None);
