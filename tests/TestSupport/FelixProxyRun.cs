using System.Net.Sockets;
using Xunit;

namespace TestSupport;

/// <summary>
/// The published felix-api-proxy started as Felix starts it: /bin/sh opens two FIFOs as fd 3 (Felix's
/// messages, which the test writes) and fd 4 (the driver's replies, which the test reads), then execs
/// the proxy. Everything lives in a temporary folder, removed on dispose.
/// </summary>
public sealed class FelixProxyRun : IAsyncDisposable
{
    // $1, $2: the FIFOs; the rest is the command. Descriptors above 4 are closed so nothing else leaks in.
    private const string Launcher = "exec 3<\"$1\" 4>\"$2\"; shift 2; exec \"$@\"";

    private FelixProxyRun(string directory, DaemonProcess process, FileStream felixWrites, FileStream felixReads, NetworkStream? agent)
    {
        Directory = directory;
        Process = process;
        FelixWrites = felixWrites;
        FelixReads = felixReads;
        Agent = agent;
    }

    public string Directory { get; }

    public DaemonProcess Process { get; }

    /// <summary>Felix's end of fd 3: what is written here the proxy must send to the agent.</summary>
    public FileStream FelixWrites { get; }

    /// <summary>Felix's end of fd 4: what the agent sends arrives here.</summary>
    public FileStream FelixReads { get; }

    /// <summary>The agent's end of the proxy's connection, when started with <see cref="StartConnectedAsync"/>.</summary>
    public NetworkStream? Agent { get; }

    public static string SocketPathIn(string directory) => Path.Combine(directory, "felix-dataplane.sock");

    /// <summary>Starts the proxy with an agent listening in <paramref name="directory"/>, and takes the connection it makes.</summary>
    public static async Task<FelixProxyRun> StartConnectedAsync(string directory)
    {
        using var listener = ListenAsAgent(directory);
        var run = await StartAsync(directory, "--socket", SocketPathIn(directory));
        var agent = await listener.AcceptAsync().DefaultTimeout();
        return new FelixProxyRun(directory, run.Process, run.FelixWrites, run.FelixReads, new NetworkStream(agent, ownsSocket: true));
    }

    /// <summary>Starts the proxy in <paramref name="directory"/> with <paramref name="arguments"/>.</summary>
    public static async Task<FelixProxyRun> StartAsync(string directory, params string[] arguments)
    {
        var toProxy = Path.Combine(directory, "fd3");
        var fromProxy = Path.Combine(directory, "fd4");
        foreach (var fifo in new[] { toProxy, fromProxy })
        {
            var made = await ChildProcess.RunAsync("mkfifo", [fifo]);
            Assert.True(made.ExitCode == 0, made.AllOutput);
        }

        var process = DaemonProcess.StartProgram("/bin/sh", ["-c", Launcher, "sh", toProxy, fromProxy, PublishedDaemon.PathOf("felix-api-proxy"), .. arguments]);
        // Opening a FIFO blocks until the other end opens it: the shell opens fd 3, then fd 4.
        var writes = await Task.Run(() => new FileStream(toProxy, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1)).DefaultTimeout();
        var reads = await Task.Run(() => new FileStream(fromProxy, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1)).DefaultTimeout();
        return new FelixProxyRun(directory, process, writes, reads, agent: null);
    }

    /// <summary>A unix socket listening where the agent's would, in <paramref name="directory"/>.</summary>
    public static Socket ListenAsAgent(string directory)
    {
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(SocketPathIn(directory)));
        listener.Listen(1);
        return listener;
    }

    public async ValueTask DisposeAsync()
    {
        if (Agent is not null)
        {
            await Agent.DisposeAsync();
        }

        await FelixWrites.DisposeAsync();
        await FelixReads.DisposeAsync();
        await Process.DisposeAsync();
    }
}
