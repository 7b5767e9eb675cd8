using Microsoft.Extensions.Configuration;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace DaemonHost.Configuration;

/// <summary>
/// Flattens a YAML document into configuration keys: nested mappings join with ':', sequence items
/// get their index, so <c>InfraManager: {addr: x}</c> is the key InfraManager:addr.
/// </summary>
internal sealed class YamlConfigurationProvider : ConfigurationProvider
{
    private readonly string _path;

    public YamlConfigurationProvider(string path)
    {
        _path = path;
    }

    public override void Load()
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var stream = new YamlStream();
        try
        {
            using var reader = new StreamReader(_path);
            stream.Load(reader);
        }
        catch (YamlException e)
        {
            throw new DaemonConfigurationException($"config file {_path}: line {e.Start.Line}, column {e.Start.Column}: {Innermost(e)}", e);
        }

        if (stream.Documents.Count > 0)
        {
            if (stream.Documents[0].RootNode is not YamlMappingNode root)
            {
                throw new DaemonConfigurationException($"config file {_path}: the document must be a mapping of keys to values");
            }

            Flatten(root, prefix: null, values);
        }

        Data = values;
    }

    private void Flatten(YamlNode node, string? prefix, Dictionary<string, string?> values)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                foreach (var (keyNode, value) in mapping.Children)
                {
                    var name = ((YamlScalarNode)keyNode).Value ?? string.Empty;
                    Flatten(value, prefix is null ? name : ConfigurationPath.Combine(prefix, name), values);
                }

                break;
            case YamlSequenceNode sequence:
                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    Flatten(sequence.Children[i], ConfigurationPath.Combine(prefix ?? string.Empty, i.ToString(System.Globalization.CultureInfo.InvariantCulture)), values);
                }

                break;
            case YamlScalarNode scalar:
                var key = prefix ?? string.Empty;
                if (!values.TryAdd(key, IsNull(scalar) ? null : scalar.Value))
                {
                    throw new DaemonConfigurationException($"config file {_path}: key {key} is set twice");
                }

                break;
        }
    }

    private static bool IsNull(YamlScalarNode scalar) =>
        scalar.Style == ScalarStyle.Plain && scalar.Value is null or "" or "~" or "null" or "Null" or "NULL";

    private static string Innermost(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e.Message.ReplaceLineEndings(" ");
    }
}
