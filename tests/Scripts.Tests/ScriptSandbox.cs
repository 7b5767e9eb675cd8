using TestSupport;

namespace Scripts.Tests;

/// <summary>
/// A temporary folder for one test's pid files, logs and daemon wrappers, and a way to run a script of
/// scripts/ with an environment that holds only what the test sets (the IPDK variables are cleared).
/// </summary>
internal sealed class ScriptSandbox : IDisposable
{
    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("k8sio-scripts-").FullName;

    public string StateDirectory => Path.Combine(Directory, "run");

    public static string ScriptPath(string script) => Path.Combine(RepoPaths.Root, "scripts", script);

    public Task<ProcessResult> RunAsync(string script, string[] arguments, IDictionary<string, string?>? environment = null)
    {
        var variables = new Dictionary<string, string?>
        {
            ["SDE_INSTALL"] = null,
            ["IPDK_RECIPE"] = null,
            ["DEPEND_INSTALL"] = null,
            ["K8S_STATE_DIR"] = StateDirectory,
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            variables[key] = value;
        }

        return ChildProcess.RunAsync(ScriptPath(script), arguments, TimeSpan.FromSeconds(90), variables);
    }

    /// <summary>An executable that runs one of our daemons' dlls (next to the test binaries) with the dotnet host.</summary>
    public string DaemonWrapper(string dll)
    {
        var path = Path.Combine(Directory, Path.GetFileNameWithoutExtension(dll));
        File.WriteAllText(path, $"#!/bin/sh\nexec '{ChildProcess.DotnetHost}' '{Path.Combine(AppContext.BaseDirectory, dll)}' \"$@\"\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
