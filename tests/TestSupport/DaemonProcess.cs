using System.Diagnostics;
using System.Text;

namespace TestSupport;

/// <summary>One of our daemons as a real child process; its output is kept for assertions and failure reports.</summary>
public sealed class DaemonProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private DaemonProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    public int Id => _process.Id;

    /// <summary>Starts <paramref name="dll"/> (next to the test binaries) with the dotnet host.</summary>
    public static DaemonProcess Start(string dll, IEnumerable<string> arguments, IDictionary<string, string?>? environment = null) =>
        StartProgram(ChildProcess.DotnetHost, [Path.Combine(AppContext.BaseDirectory, dll), .. arguments], environment);

    /// <summary>Starts the executable <c>make publish</c> wrote for <paramref name="name"/> (see <see cref="PublishedDaemon"/>).</summary>
    public static DaemonProcess StartPublished(string name, IEnumerable<string> arguments, IDictionary<string, string?>? environment = null) =>
        StartProgram(PublishedDaemon.PathOf(name), arguments, environment);

    /// <summary>Starts any program (a server in a namespace, say) and keeps it until disposed.</summary>
    public static DaemonProcess StartProgram(string fileName, IEnumerable<string> arguments, IDictionary<string, string?>? environment = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            info.Environment[key] = value;
        }

        return new DaemonProcess(Process.Start(info) ?? throw new InvalidOperationException($"cannot start {fileName}"));
    }

    /// <summary>Waits until the output shows <paramref name="text"/>, or fails with what the daemon printed.</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TaskTimeoutExtensions.Default);
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"'{text}' not seen (exited: {_process.HasExited}); output:\n{Output}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Waits (bounded) for the process to exit on its own and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan? timeout = null)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout ?? TaskTimeoutExtensions.Default);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"the process did not exit; output:\n{Output}");
        }

        // WaitForExitAsync returns after the output streams reached their end, so Output is complete here.
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TaskTimeoutExtensions.Default);
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
