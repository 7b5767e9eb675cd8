using DaemonHost;
using DaemonHost.Configuration;
using DaemonHost.Tls;
using Grpc.Core;
using Microsoft.Extensions.Logging.Abstractions;
using P4Pipeline;
using Proto.Gnmi;
using Proto.P4.V1;

namespace SoftTarget.Debugging;

/// <summary>
/// softtarget dump: every table entry, profile member and group by name, and each port's counters,
/// read over P4Runtime and gNMI from a running SoftTarget (or infrap4d, for the tables).
/// </summary>
internal static class DumpCommand
{
    public const string Name = "dump";

    public static Task<int> RunAsync(string[] args) =>
        DaemonProgram.RunAsync($"softtarget {Name}", args, SoftTargetFlags.DefaultConfigFile, SoftTargetFlags.All, async (configuration, cancellationToken) =>
        {
            var options = configuration.BindValidated(new SoftTargetOptions(), static (c, o) => c.Bind(o));
            var tls = TlsSettings.ParseMode(options.Conn, "Conn") == TlsMode.Insecure
                ? TlsSettings.Insecure
                : new TlsSettings(TlsSettings.ParseMode(options.Conn, "Conn"), options.ClientCert, options.ClientKey, options.CaCert).Validate(isServer: false, ("ClientCert", "ClientKey", "CaCert"));
            using var material = tls.Mode == TlsMode.Insecure ? null : new ReloadingTlsMaterial(tls, TimeProvider.System, NullLogger.Instance);
            using var p4 = GrpcChannels.Create(options.Addr, material);
            var client = new P4Runtime.P4RuntimeClient(p4);
            var deadline = DateTime.UtcNow.AddSeconds(30);
            var config = await client.GetForwardingPipelineConfigAsync(
                new GetForwardingPipelineConfigRequest { DeviceId = options.DeviceId, ResponseType = GetForwardingPipelineConfigRequest.Types.ResponseType.P4InfoAndCookie },
                deadline: deadline,
                cancellationToken: cancellationToken);
            var index = P4InfoIndex.Build(config.Config.P4Info);
            var read = new ReadRequest { DeviceId = options.DeviceId };
            read.Entities.Add(new Entity { TableEntry = new TableEntry() });
            read.Entities.Add(new Entity { ActionProfileMember = new ActionProfileMember() });
            read.Entities.Add(new Entity { ActionProfileGroup = new ActionProfileGroup() });
            using var call = client.Read(read, deadline: deadline, cancellationToken: cancellationToken);
            var lines = new List<string>();
            await foreach (var response in call.ResponseStream.ReadAllAsync(cancellationToken))
            {
                lines.AddRange(response.Entities.Select(e => EntityFormatter.Format(index, e)));
            }

            lines.Sort(StringComparer.Ordinal);
            Console.WriteLine($"# device {options.DeviceId}, pipeline cookie {config.Config.Cookie?.Cookie_ ?? 0}, {lines.Count} entities");
            lines.ForEach(Console.WriteLine);

            using var gnmi = GrpcChannels.Create(options.GnmiAddr, material);
            var counters = new GetRequest { Encoding = Proto.Gnmi.Encoding.Proto };
            counters.Path.Add(new Proto.Gnmi.Path
            {
                Elem =
                {
                    new PathElem { Name = "interfaces" },
                    new PathElem { Name = "virtual-interface", Key = { ["name"] = "*" } },
                    new PathElem { Name = "state" },
                    new PathElem { Name = "counters" },
                },
            });
            var reply = await new gNMI.gNMIClient(gnmi).GetAsync(counters, deadline: deadline, cancellationToken: cancellationToken);
            Console.WriteLine("# ports");
            foreach (var notification in reply.Notification)
            {
                var port = notification.Update.FirstOrDefault()?.Path.Elem[1].Key["name"] ?? "?";
                Console.WriteLine($"{port}: {string.Join(", ", notification.Update.Select(u => $"{u.Path.Elem[^1].Name} {u.Val.UintVal}"))}");
            }
        });
}
