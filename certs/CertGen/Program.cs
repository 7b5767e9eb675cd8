using CertGen;

// certgen [--out DIR] [--force] [--key-size BITS] [--days N]
var output = Path.Combine("certs", "generated");
var force = false;
var keySize = 4096;
var days = 365;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--out" when i + 1 < args.Length:
            output = args[++i];
            break;
        case "--force":
            force = true;
            break;
        case "--key-size" when i + 1 < args.Length && int.TryParse(args[i + 1], out var bits):
            keySize = bits;
            i++;
            break;
        case "--days" when i + 1 < args.Length && int.TryParse(args[i + 1], out var n) && n > 30:
            days = n;
            i++;
            break;
        case "-h" or "--help":
            Console.WriteLine("usage: certgen [--out DIR] [--force] [--key-size BITS] [--days N]");
            Console.WriteLine("Writes the CA and the manager, agent and infrap4d certificates (mTLS) into DIR (default certs/generated).");
            Console.WriteLine("Certificates that are still valid are kept unless --force is given.");
            return 0;
        default:
            Console.Error.WriteLine($"certgen: bad argument '{args[i]}' (see --help; --days must be over 30)");
            return 2;
    }
}

try
{
    var directory = new CertificateDirectory(output, new CertificateIssuer(keySize), TimeProvider.System)
    {
        Validity = TimeSpan.FromDays(days),
    };
    foreach (var line in directory.Generate(force))
    {
        Console.WriteLine(line);
    }

    return 0;
}
catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentOutOfRangeException)
{
    Console.Error.WriteLine($"certgen: {e.Message}");
    return 1;
}
