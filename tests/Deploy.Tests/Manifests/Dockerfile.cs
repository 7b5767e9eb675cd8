using TestSupport;

namespace Deploy.Tests.Manifests;

/// <summary>The instructions of one of deploy/images/*.Dockerfile that the manifests depend on.</summary>
internal sealed record Dockerfile(string Path, IReadOnlyList<string> Lines)
{
    public static Dockerfile Load(string name)
    {
        var path = System.IO.Path.Combine(RepoPaths.Root, "deploy", "images", name);
        // Join continuation lines, drop comments: one instruction a line.
        var text = File.ReadAllText(path).Replace("\\\n", " ", StringComparison.Ordinal);
        return new Dockerfile(path, [.. text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'))]);
    }

    /// <summary>The instructions of the last stage, the image that runs.</summary>
    public IReadOnlyList<string> FinalStage => [.. Lines.Skip(Lines.ToList().FindLastIndex(l => l.StartsWith("FROM ", StringComparison.Ordinal)))];

    /// <summary>The destinations of the final stage's COPY instructions.</summary>
    public IEnumerable<string> CopiedTo => FinalStage.Where(l => l.StartsWith("COPY ", StringComparison.Ordinal)).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1]);

    public string? User => FinalStage.LastOrDefault(l => l.StartsWith("USER ", StringComparison.Ordinal))?["USER ".Length..].Trim();
}
