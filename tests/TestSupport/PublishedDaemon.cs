namespace TestSupport;

/// <summary>A daemon as <c>make publish</c> writes it into out/: what an operator installs (the manager is a Native AOT executable).</summary>
public static class PublishedDaemon
{
    /// <summary>out/<paramref name="name"/>/<paramref name="name"/>; make test publishes the manager before it runs the tests.</summary>
    public static string PathOf(string name)
    {
        var path = Path.Combine(RepoPaths.Root, "out", name, name);
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{path} does not exist: make test (or make publish) writes it before the tests run", path);
    }
}
