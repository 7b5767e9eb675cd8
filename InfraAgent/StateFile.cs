namespace InfraAgent;

/// <summary>The agent's small state files beside its allocation cache (Felix's items, the service ports sent).</summary>
internal static class StateFile
{
    /// <summary>
    /// Replaces <paramref name="path"/> (an absolute path; its directory is made when missing) with
    /// <paramref name="lines"/>: written to a file beside it and renamed over it, so a process that dies
    /// meanwhile leaves the old content or the new, never half of it.
    /// </summary>
    public static void WriteLines(string path, IEnumerable<string> lines)
    {
        var temporary = path + ".tmp";
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllLines(temporary, lines);
        File.Move(temporary, path, overwrite: true);
    }
}
