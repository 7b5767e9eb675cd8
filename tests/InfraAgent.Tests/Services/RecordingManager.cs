using System.Net;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Proto.Infra;
using TestSupport;

namespace InfraAgent.Tests.Services;

/// <summary>
/// A real infra.InfraAgent gRPC server on 127.0.0.1:0 that records every NatTranslationAdd/Delete,
/// keeps the resulting service ports (REPLACE semantics, as the manager) and can be made to fail; and every
/// Felix RPC (RecordingManager.Felix.cs).
/// </summary>
public sealed partial class RecordingManager : IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly List<string> _calls = [];
    private readonly Dictionary<string, string> _programmed = new(StringComparer.Ordinal);
    private WebApplication? _app;

    /// <summary>When set, every NAT call fails with this status (Unavailable: "the manager is down").</summary>
    public StatusCode? FailWith { get; set; }

    public int Failures { get; private set; }

    public GrpcChannel Channel { get; private set; } = null!; // set by StartAsync before use

    /// <summary>Port: 0 for any; a port a stopped manager had, to start it again where the agent dials.</summary>
    public static async Task<RecordingManager> StartAsync(int port = 0)
    {
        var manager = new RecordingManager();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(manager);
        var app = builder.Build();
        app.MapGrpcService<Recorder>();
        await app.StartAsync().DefaultTimeout();
        manager._app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First(); // Kestrel has it
        manager.Channel = GrpcChannel.ForAddress(address);
        manager.Port = new Uri(address).Port;
        return manager;
    }

    public Proto.Infra.InfraAgent.InfraAgentClient Client => new(Channel);

    public int Port { get; private set; }

    /// <summary>Every call in order: "ADD 10.96.0.10:53/UDP [10.244.0.3:53 10.244.0.4:53]" or "DEL 10.96.0.10:53/UDP".</summary>
    public IReadOnlyList<string> Calls
    {
        get
        {
            lock (_gate)
            {
                return [.. _calls];
            }
        }
    }

    /// <summary>The service ports the manager holds now, "ip:port/PROTO" → "[backends]".</summary>
    public IReadOnlyDictionary<string, string> Programmed
    {
        get
        {
            lock (_gate)
            {
                return new Dictionary<string, string>(_programmed, StringComparer.Ordinal);
            }
        }
    }

    public void ClearCalls()
    {
        lock (_gate)
        {
            _calls.Clear();
        }
    }

    public async Task WaitUntilAsync(Func<RecordingManager, bool> condition)
    {
        var deadline = DateTime.UtcNow + TaskTimeoutExtensions.Default;
        while (!condition(this))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("manager state not reached; calls:\n" + string.Join("\n", Calls));
            }

            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Channel?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    private Reply Record(string verb, NatTranslation request)
    {
        lock (_gate)
        {
            var key = $"{request.Endpoint.Ipv4Addr}:{request.Endpoint.Port}/{request.Proto}";
            if (FailWith is { } status)
            {
                Failures++;
                throw new RpcException(new Status(status, "recording manager told to fail"));
            }

            var backends = "[" + string.Join(" ", request.Backends.Select(b => $"{b.DstEp.Ipv4Addr}:{b.DstEp.Port}")) + "]";
            _calls.Add(verb == "ADD" ? $"ADD {key} {backends}" : $"DEL {key}");
            if (verb == "ADD" && request.Backends.Count > 0)
            {
                _programmed[key] = backends;
            }
            else
            {
                _programmed.Remove(key);
            }

            return new Reply { Successful = true };
        }
    }

    private sealed partial class Recorder(RecordingManager manager) : Proto.Infra.InfraAgent.InfraAgentBase
    {
        public override Task<Reply> NatTranslationAdd(NatTranslation request, ServerCallContext context) => Task.FromResult(manager.Record("ADD", request));

        public override Task<Reply> NatTranslationDelete(NatTranslation request, ServerCallContext context) => Task.FromResult(manager.Record("DEL", request));
    }
}
