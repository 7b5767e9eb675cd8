using System.Security.Cryptography;

namespace TestSupport.Network;

/// <summary>iproute2 and friends, run for real and bounded in time.</summary>
public static class HostCommands
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    /// <summary>A name no other test run uses: <paramref name="prefix"/> and 8 hex digits (fits IFNAMSIZ with a prefix of up to 7).</summary>
    public static string UniqueName(string prefix) => prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));

    /// <summary>Runs a command and fails with its output unless it exits 0.</summary>
    public static async Task<string> RunAsync(string fileName, params string[] arguments)
    {
        var result = await ChildProcess.RunAsync(fileName, arguments, Timeout);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} exited {result.ExitCode}: {result.AllOutput}");
        }

        return result.StandardOutput;
    }

    public static async Task<bool> LinkExistsAsync(string name) =>
        (await ChildProcess.RunAsync("ip", ["link", "show", "dev", name], Timeout)).ExitCode == 0;

    /// <summary>Removes a link left behind by a failed test; nothing if it is gone.</summary>
    public static async Task DeleteLinkIfPresentAsync(string name)
    {
        if (await LinkExistsAsync(name))
        {
            await ChildProcess.RunAsync("ip", ["link", "del", "dev", name], Timeout);
        }
    }

    public static int InterfaceIndex(string name) =>
        int.Parse(File.ReadAllText($"/sys/class/net/{name}/ifindex"), System.Globalization.CultureInfo.InvariantCulture);
}
