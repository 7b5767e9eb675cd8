using System.Net;

namespace KubeApiStandin;

/// <summary>kube-standin's command line.</summary>
internal sealed record StandinCommandLine(IReadOnlyList<string> Files, IPEndPoint Listen, string? Kubeconfig)
{
    public const string Usage = """
        usage: kube-standin --file FILE [--file FILE]... [--listen 127.0.0.1:6443 (port 0: any)] [--kubeconfig PATH]
          Serves the Kubernetes API's list and watch (Services, Endpoints, Nodes, Pods; EndpointSlices of
          discovery.k8s.io/v1) on --listen, holding the objects of the YAML files (standard Kubernetes
          manifests, several documents per file). Writes a kubeconfig for clients to PATH. Re-reads the
          files when they change and on SIGHUP, and applies the difference as watch events.
        """;

    public static StandinCommandLine? Parse(IReadOnlyList<string> args, out string error)
    {
        ArgumentNullException.ThrowIfNull(args);
        error = string.Empty;
        var files = new List<string>();
        var listen = new IPEndPoint(IPAddress.Loopback, 6443);
        string? kubeconfig = null;
        for (var i = 0; i < args.Count; i++)
        {
            if (i + 1 >= args.Count)
            {
                error = $"kube-standin: {args[i]}: a flag and its value expected";
                return null;
            }

            var value = args[++i];
            switch (args[i - 1])
            {
                case "--file":
                    files.Add(value);
                    break;
                case "--listen" when IPEndPoint.TryParse(value, out var endpoint):
                    listen = endpoint;
                    break;
                case "--kubeconfig":
                    kubeconfig = value;
                    break;
                default:
                    error = $"kube-standin: {args[i - 1]} {value}: unknown flag or bad value";
                    return null;
            }
        }

        if (files.Count == 0)
        {
            error = "kube-standin: no --file given";
            return null;
        }

        return new StandinCommandLine(files, listen, kubeconfig);
    }
}
