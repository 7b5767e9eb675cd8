namespace TestSupport;

/// <summary>Where the repository and the shared folder beside it are, seen from a test binary.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>../shared beside the clone (CI puts it there); K8S_SHARED_DIR overrides.</summary>
    public static string Shared =>
        Environment.GetEnvironmentVariable("K8S_SHARED_DIR") is { Length: > 0 } dir
            ? dir
            : Path.GetFullPath(Path.Combine(Root, "..", "shared"));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "K8sInfraOffload.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"K8sInfraOffload.sln not found above {AppContext.BaseDirectory}");
    }
}
