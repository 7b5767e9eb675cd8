namespace DaemonHost.Configuration;

/// <summary>A command-line flag and the configuration key it sets.</summary>
public sealed record DaemonFlag(string Name, string Key, string Help)
{
    public string Switch => "--" + Name;
}
