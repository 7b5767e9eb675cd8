using System.Text.Json.Nodes;

namespace KubeApiStandin;

/// <summary>One object as stored at one resourceVersion: its JSON and what the selectors look at.</summary>
internal sealed record StoredObject(ResourceKind Kind, string? Namespace, string Name, long ResourceVersion, JsonObject Json)
{
    public string Key => Namespace is null ? Name : Namespace + "/" + Name;

    public string? Field(string path)
    {
        JsonNode? node = Json;
        foreach (var part in path.Split('.'))
        {
            node = node is JsonObject o && o.TryGetPropertyValue(part, out var child) ? child : null;
        }

        return node?.GetValueKind() == System.Text.Json.JsonValueKind.String ? node.GetValue<string>() : null;
    }

    public string? Label(string name) =>
        Json["metadata"]?["labels"]?[name]?.GetValue<string>();
}
