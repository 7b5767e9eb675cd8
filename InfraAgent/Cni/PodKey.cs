namespace InfraAgent.Cni;

/// <summary>
/// A pod's interface: its network namespace path and the interface name in it. <see cref="CacheName"/>
/// is the Go agent's cache file name, <c>&lt;basename(netns)&gt;-&lt;ifname&gt;</c>.
/// </summary>
internal readonly record struct PodKey(string NetnsPath, string InterfaceName)
{
    public string CacheName => Path.GetFileName(NetnsPath) + "-" + InterfaceName;

    public override string ToString() => $"{NetnsPath} {InterfaceName}";
}
