using Microsoft.Extensions.Configuration;

namespace DaemonHost.Configuration;

/// <summary>A YAML file as configuration keys (SECTION:key), read once at start.</summary>
public sealed class YamlConfigurationSource : IConfigurationSource
{
    public YamlConfigurationSource(string path)
    {
        Path = path;
    }

    public string Path { get; }

    public IConfigurationProvider Build(IConfigurationBuilder builder) => new YamlConfigurationProvider(Path);
}
