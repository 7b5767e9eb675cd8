using System.Text.Json;
using System.Text.Json.Serialization;

namespace InfraAgent.Cni.PodInterfaces;

/// <summary>
/// The allocation cache: one JSON file per pod interface (<c>&lt;basename(netns)&gt;-&lt;ifname&gt;</c>) and
/// <c>hostInterface-hostInterface</c>, directory 0700 and files 0600 as the Go agent made them. Each
/// file is written atomically (temp file, flush, rename), so a crash leaves the old file or the new one.
/// </summary>
internal sealed class InterfaceCacheStore
{
    public const string HostInterfaceName = "hostInterface-hostInterface";

    /// <summary>
    /// Appended to a pod's entry once its Del answered: the manager's entries are gone, the TAP is on its
    /// way home. A rename, not flushed: it only matters while the pod's namespace exists, and no
    /// namespace outlives a machine crash (the start then reclaims the entry under its old name).
    /// </summary>
    public const string ReleasedSuffix = ".released";

    private readonly string _directory;

    public InterfaceCacheStore(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        _directory = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(_directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public string Directory => _directory;

    public void Write(string name, InterfaceInfoRecord record)
    {
        var path = PathOf(name);
        var temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        {
            JsonSerializer.Serialize(stream, record, InterfaceCacheJson.Default.InterfaceInfoRecord);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>The record, or null if there is none (or it is unreadable: a half-written file from another agent).</summary>
    public InterfaceInfoRecord? Read(string name)
    {
        var path = PathOf(name);
        try
        {
            using var stream = File.OpenRead(path);
            return JsonSerializer.Deserialize(stream, InterfaceCacheJson.Default.InterfaceInfoRecord);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public void Delete(string name) => File.Delete(PathOf(name));

    /// <summary>Renames a pod's entry to its <see cref="ReleasedSuffix"/> name; returns that name.</summary>
    public string MarkReleased(string name)
    {
        var released = name + ReleasedSuffix;
        File.Move(PathOf(name), PathOf(released), overwrite: true);
        return released;
    }

    /// <summary>Every cache file name but the host interface's (released entries included), sorted.</summary>
    public IReadOnlyList<string> PodEntries()
    {
        var names = new List<string>();
        foreach (var file in System.IO.Directory.EnumerateFiles(_directory))
        {
            var name = Path.GetFileName(file);
            if (name != HostInterfaceName && !name.EndsWith(".tmp", StringComparison.Ordinal) && new FileInfo(file).LinkTarget is null)
            {
                names.Add(name);
            }
        }

        names.Sort(StringComparer.Ordinal);
        return names;
    }

    private string PathOf(string name)
    {
        // Names come from checked netns basenames and interface names; refuse anything that would leave the directory.
        var path = Path.GetFullPath(Path.Combine(_directory, name));
        if (Path.GetDirectoryName(path) != _directory)
        {
            throw new ArgumentException($"cache entry '{name}' is outside {_directory}", nameof(name));
        }

        return path;
    }
}

/// <summary>The cache files' JSON, generated at build time (the agent is a Native AOT executable).</summary>
[JsonSerializable(typeof(InterfaceInfoRecord))]
internal sealed partial class InterfaceCacheJson : JsonSerializerContext;
