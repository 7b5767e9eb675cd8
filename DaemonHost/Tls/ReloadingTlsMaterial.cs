using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace DaemonHost.Tls;

/// <summary>
/// The certificate, key and CA of one link, re-read when their files change (a renewed secret, a
/// re-run of make gen-certs). Each new handshake asks for <see cref="Current"/>; connections already
/// up keep what they negotiated, so RPCs in flight never fail. A half-written or broken file keeps
/// the last good material and is logged, and tried again at the next check.
/// </summary>
public sealed partial class ReloadingTlsMaterial : IDisposable
{
    private readonly TlsSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private TlsMaterial _current;
    private FileStamp[] _stamps;
    private DateTimeOffset _nextCheck;

    public ReloadingTlsMaterial(TlsSettings settings, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _settings = settings;
        _time = time;
        _logger = logger;
        _stamps = Stamp();
        _current = Load();
        _nextCheck = time.GetUtcNow() + CheckInterval;
    }

    /// <summary>How often, at most, the files are looked at again.</summary>
    public static TimeSpan CheckInterval { get; } = TimeSpan.FromSeconds(1);

    public TlsSettings Settings => _settings;

    public TimeProvider Time => _time;

    public TlsMaterial Current
    {
        get
        {
            if (_time.GetUtcNow() >= _nextCheck)
            {
                ReloadIfChanged();
            }

            return _current;
        }
    }

    public void Dispose()
    {
        _current.Certificate?.Dispose();
        foreach (var authority in _current.Authorities)
        {
            authority.Dispose();
        }
    }

    private void ReloadIfChanged()
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            if (now < _nextCheck)
            {
                return;
            }

            _nextCheck = now + CheckInterval;
            var stamps = Stamp();
            if (stamps.SequenceEqual(_stamps))
            {
                return;
            }

            try
            {
                // The old material stays with the connections that use it; it is not disposed.
                _current = Load();
                _stamps = stamps;
                LogReloaded(_logger, _settings.CertificateFile, _settings.CaFile);
            }
            catch (Exception e) when (e is CryptographicException or IOException)
            {
                LogReloadFailed(_logger, _settings.CertificateFile, _settings.CaFile, e.Message);
            }
        }
    }

    private TlsMaterial Load()
    {
        var certificate = string.IsNullOrEmpty(_settings.CertificateFile)
            ? null
            : X509Certificate2.CreateFromPemFile(_settings.CertificateFile, _settings.KeyFile);
        var authorities = new X509Certificate2Collection();
        if (!string.IsNullOrEmpty(_settings.CaFile))
        {
            authorities.ImportFromPemFile(_settings.CaFile);
            if (authorities.Count == 0)
            {
                certificate?.Dispose();
                throw new CryptographicException($"{_settings.CaFile} holds no certificate");
            }
        }

        return new TlsMaterial(certificate, authorities);
    }

    private FileStamp[] Stamp() =>
        [FileStamp.Of(_settings.CertificateFile), FileStamp.Of(_settings.KeyFile), FileStamp.Of(_settings.CaFile)];

    [LoggerMessage(EventId = 50, Level = LogLevel.Information, Message = "TLS material reloaded from {CertificateFile} and {CaFile}")]
    private static partial void LogReloaded(ILogger logger, string certificateFile, string caFile);

    [LoggerMessage(EventId = 51, Level = LogLevel.Warning, Message = "TLS material in {CertificateFile} / {CaFile} changed but cannot be loaded, keeping the previous one: {Reason}")]
    private static partial void LogReloadFailed(ILogger logger, string certificateFile, string caFile, string reason);

    // Kubernetes swaps secret files through symlinks; stat follows them, so a swap changes the stamp.
    private readonly record struct FileStamp(DateTime Modified, long Length)
    {
        public static FileStamp Of(string path)
        {
            if (string.IsNullOrEmpty(path))
            {
                return default;
            }

            FileSystemInfo info = new FileInfo(path);
            if (info.LinkTarget is not null)
            {
                info = info.ResolveLinkTarget(returnFinalTarget: true) ?? info;
            }

            return info is FileInfo { Exists: true } file ? new FileStamp(file.LastWriteTimeUtc, file.Length) : default;
        }
    }
}
