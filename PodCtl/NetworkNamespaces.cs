using System.Diagnostics;

namespace PodCtl;

/// <summary>Named network namespaces as the container runtime makes them (<c>ip netns</c>: a bind mount in /var/run/netns).</summary>
internal static class NetworkNamespaces
{
    public static bool Exists(string name) => File.Exists("/var/run/netns/" + name);

    /// <summary>A new namespace with its loopback up, as a pod sandbox has.</summary>
    public static async Task CreateAsync(string name, CancellationToken cancellationToken)
    {
        await IpAsync(["netns", "add", name], cancellationToken);
        try
        {
            await IpAsync(["-n", name, "link", "set", "lo", "up"], cancellationToken);
        }
        catch
        {
            await DeleteAsync(name, CancellationToken.None);
            throw;
        }
    }

    public static async Task DeleteAsync(string name, CancellationToken cancellationToken)
    {
        if (Exists(name))
        {
            await IpAsync(["netns", "del", name], cancellationToken);
        }
    }

    private static async Task IpAsync(string[] arguments, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo("ip") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("cannot run ip (iproute2)");
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.StandardOutput.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"ip {string.Join(' ', arguments)}: {(await error).Trim()}");
        }
    }
}
