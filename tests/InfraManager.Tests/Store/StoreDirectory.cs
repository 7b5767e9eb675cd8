using InfraManager.Store;

namespace InfraManager.Tests.Store;

/// <summary>A fresh directory under the temp directory for one test, deleted with everything in it.</summary>
internal sealed class StoreDirectory : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"imstore-{Guid.NewGuid():N}");

    public StoreDirectory()
    {
        Directory.CreateDirectory(_root);
        StorePath = Path.Combine(_root, "inframanager");
    }

    /// <summary>The store directory, left for the store to create.</summary>
    public string StorePath { get; }

    public string Snapshot => FilePath(StoreFiles.Snapshot);

    public string Journal => FilePath(StoreFiles.Journal);

    public string FilePath(string name) => Path.Combine(StorePath, name);

    /// <summary>Creates the store directory, for tests that put files in it before opening the store.</summary>
    public void Create() => Directory.CreateDirectory(StorePath);

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}
