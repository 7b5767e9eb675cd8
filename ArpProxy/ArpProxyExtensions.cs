using System.Runtime.ExceptionServices;
using ArpProxy.Links;
using ArpProxy.Proxy;

namespace ArpProxy;

internal static class ArpProxyExtensions
{
    public static IHostApplicationBuilder AddArpProxy(this IHostApplicationBuilder builder, ArpProxyOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ILinkLookup, SystemLinkLookup>();
        builder.Services.AddSingleton<LinkWaiter>();
        builder.Services.AddSingleton<ArpProxyWorker>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ArpProxyWorker>());
        return builder;
    }

    /// <summary>
    /// Runs until SIGTERM or Ctrl-C. When the proxy stopped the host itself (it cannot open a packet
    /// socket), its failure is rethrown here, so the daemon says why on stderr and exits non-zero.
    /// </summary>
    public static async Task RunArpProxyAsync(this IHost host, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        var worker = host.Services.GetRequiredService<ArpProxyWorker>();
        await host.RunAsync(cancellationToken);
        if (worker.Failure is { } failure)
        {
            ExceptionDispatchInfo.Throw(failure);
        }
    }
}
