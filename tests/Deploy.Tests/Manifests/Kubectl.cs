using TestSupport;

namespace Deploy.Tests.Manifests;

/// <summary>
/// The kubectl on the PATH (KUBECTL names another, e.g. Debian's 1.20 whose built-in kustomize is v2.0.3):
/// the one make deploy uses to render deploy/.
/// </summary>
internal static class Kubectl
{
    public static string Program => Environment.GetEnvironmentVariable("KUBECTL") is { Length: > 0 } kubectl ? kubectl : "kubectl";

    /// <summary>kubectl kustomize <paramref name="directory"/>; a failure is an <see cref="InvalidDataException"/> with kubectl's words.</summary>
    public static async Task<string> KustomizeAsync(string directory)
    {
        var result = await ChildProcess.RunAsync(Program, ["kustomize", directory]);
        return result.ExitCode == 0
            ? result.StandardOutput
            : throw new InvalidDataException($"{Program} kustomize {directory} failed ({result.ExitCode}): {result.StandardError.Trim()}");
    }
}
