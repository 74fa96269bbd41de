using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

namespace EmailMonitor.Configuration;

/// <summary>
/// The certificate HTTPS/WSS is served with, from SSL_CERT_FILE and SSL_KEY_FILE. The files are
/// checked for changes at most every <see cref="ServerOptions.CertificateReloadInterval"/> as
/// handshakes come in, so a renewed certificate is used without a restart; a renewal that cannot
/// be read leaves the previous certificate in service.
/// </summary>
internal sealed class ServerCertificate(IOptions<ServerOptions> options, TimeProvider time, ILogger<ServerCertificate> logger) : IDisposable
{
    private readonly Lock _gate = new();
    private X509Certificate2? _current;
    private (DateTime Certificate, DateTime Key) _loadedVersion;
    private long _checkedAt;

    public X509Certificate2 Current
    {
        get
        {
            lock (_gate)
            {
                if (_current is null || time.GetElapsedTime(_checkedAt) >= options.Value.CertificateReloadInterval)
                {
                    ReloadIfChanged();
                }

                return _current!;
            }
        }
    }

    public static X509Certificate2? TryLoad(string certificateFile, string keyFile, out string? error)
    {
        try
        {
            using var loaded = X509Certificate2.CreateFromPemFile(certificateFile, keyFile);
            // A certificate with an ephemeral key cannot serve TLS on every platform; export and re-import it.
            error = null;
            return X509CertificateLoader.LoadPkcs12(loaded.Export(X509ContentType.Pkcs12), null);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            error = ex.Message;
            return null;
        }
    }

    public void Dispose() => _current?.Dispose();

    private void ReloadIfChanged()
    {
        _checkedAt = time.GetTimestamp();
        var settings = options.Value;
        var version = (File.GetLastWriteTimeUtc(settings.CertificateFile), File.GetLastWriteTimeUtc(settings.KeyFile));
        if (_current is not null && version == _loadedVersion)
        {
            return;
        }

        var loaded = TryLoad(settings.CertificateFile, settings.KeyFile, out var error);
        if (loaded is null)
        {
            logger.CertificateNotLoaded(settings.CertificateFile, error ?? "unknown error");
            if (_current is null)
            {
                throw new InvalidOperationException($"The TLS certificate could not be loaded: {error}");
            }

            return;
        }

        var previous = _current;
        _current = loaded;
        _loadedVersion = version;
        logger.CertificateLoaded(loaded.Subject, loaded.NotAfter);
        previous?.Dispose();
    }
}
