using DaemonHost;
using DaemonHost.Configuration;
using DaemonHost.Tls;
using Grpc.Core;
using Grpc.Health.V1;
using Microsoft.Extensions.Logging.Abstractions;

namespace InfraAgent.Manager;

/// <summary>
/// infraagent checkManager [--timeout D]: the wait-for-manager init container. Polls the manager's
/// grpc.health.v1 every 100 ms, over the same TLS as the agent, until it is SERVING; a timeout of 0
/// waits forever.
/// </summary>
internal static class CheckManagerCommand
{
    public const string Name = "checkManager";

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    public static Task<int> RunAsync(string[] args) =>
        DaemonProgram.RunAsync($"infraagent {Name}", args, AgentFlags.DefaultConfigFile, [.. AgentFlags.All, new("timeout", "timeout", "give up after this long, e.g. 30s (0s: never)")], async (configuration, cancellationToken) =>
        {
            var options = configuration.BindValidated(new AgentOptions(), static (c, o) => c.Bind(o), new AgentOptionsValidator());
            var timeout = GoDuration.Parse(configuration["timeout"] ?? "0s", "--timeout");
            var tls = ManagerChannelFactory.TlsSettings(options);
            using var material = tls.Mode == TlsMode.Insecure ? null : new ReloadingTlsMaterial(tls, TimeProvider.System, NullLogger.Instance);
            using var channel = ManagerChannelFactory.Create(options, material);
            var health = new Health.HealthClient(channel);
            using var deadline = timeout > TimeSpan.Zero ? new CancellationTokenSource(timeout) : new CancellationTokenSource();
            Console.WriteLine("Waiting for Infra Manager to be running");
            while (true)
            {
                try
                {
                    var reply = await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(1), cancellationToken: deadline.Token);
                    if (reply.Status == HealthCheckResponse.Types.ServingStatus.Serving)
                    {
                        Console.WriteLine("Infra Manager is serving. Exit.");
                        return;
                    }
                }
                catch (RpcException) when (!deadline.IsCancellationRequested)
                {
                    // Not up yet, or refusing us: keep polling until the timeout.
                }
                catch (Exception e) when (e is RpcException or OperationCanceledException && deadline.IsCancellationRequested)
                {
                    throw new TimeoutException("timeout while waiting for the resource");
                }

                try
                {
                    await Task.Delay(PollInterval, deadline.Token);
                }
                catch (OperationCanceledException)
                {
                    throw new TimeoutException("timeout while waiting for the resource");
                }
            }
        });
}
