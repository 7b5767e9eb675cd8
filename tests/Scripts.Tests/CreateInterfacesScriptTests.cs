using Xunit;

namespace Scripts.Tests;

/// <summary>create_interfaces.sh's argument and environment checks: nothing is started.</summary>
public sealed class CreateInterfacesScriptTests : IDisposable
{
    private const string Script = "create_interfaces.sh";
    private const string Usage = "usage: scripts/create_interfaces.sh <n>";

    private readonly ScriptSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task Run_NoArgument_Usage()
    {
        var result = await _sandbox.RunAsync(Script, []);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith(Usage, result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_Help_UsageOnStdoutExit0()
    {
        var result = await _sandbox.RunAsync(Script, ["--help"]);

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith(Usage, result.StandardOutput, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("6")]
    [InlineData("12")]
    [InlineData("0")]
    [InlineData("4")]
    [InlineData("-8")]
    [InlineData("2048")]
    [InlineData("99999999999999999999")]
    public async Task Run_NotAPowerOfTwoFrom8_SaysSoWithUsage(string count)
    {
        var result = await _sandbox.RunAsync(Script, [count]);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"create_interfaces: wrong number of interfaces '{count}': it must be a power of two from 8 to 1024", result.StandardError, StringComparison.Ordinal);
        Assert.Contains(Usage, result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_TwoArguments_Usage()
    {
        var result = await _sandbox.RunAsync(Script, ["8", "16"]);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith(Usage, result.StandardError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("SDE_INSTALL", "missing: IPDK_RECIPE DEPEND_INSTALL")]
    [InlineData("IPDK_RECIPE", "missing: SDE_INSTALL DEPEND_INSTALL")]
    [InlineData("SDE_INSTALL IPDK_RECIPE", "missing: DEPEND_INSTALL")]
    public async Task Run_SomeRecipeVariables_NamesTheMissingOnes(string set, string expected)
    {
        var environment = set.Split(' ').ToDictionary(name => name, name => (string?)Path.Combine(_sandbox.Directory, name));

        var result = await _sandbox.RunAsync(Script, ["8"], environment);

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("create_interfaces: the IPDK recipe needs SDE_INSTALL", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_SoftTargetWithoutCertificates_SaysToRunGenCerts()
    {
        var certs = Path.Combine(_sandbox.Directory, "no-certs");

        var result = await _sandbox.RunAsync(Script, ["8"], new Dictionary<string, string?> { ["CERTS_DIR"] = certs, ["SOFTTARGET_BIN"] = "/bin/true" });

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(
            $"create_interfaces: missing {certs}/infrap4d/stratum.crt: run make gen-certs first (or set SOFTTARGET_CONN=insecure)",
            result.StandardError.Trim());
    }

    [Fact]
    public async Task Run_SoftTargetNotAnExecutable_SaysSo()
    {
        var result = await _sandbox.RunAsync(Script, ["8"], new Dictionary<string, string?> { ["SOFTTARGET_BIN"] = "/nonexistent/softtarget" });

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("create_interfaces: SOFTTARGET_BIN=/nonexistent/softtarget is not an executable file", result.StandardError.Trim());
    }
}
