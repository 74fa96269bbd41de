using System.Net;
using Microsoft.Extensions.Options;

namespace EmailMonitor.Configuration;

internal sealed class ServerOptionsValidator : IValidateOptions<ServerOptions>
{
    public ValidateOptionsResult Validate(string? name, ServerOptions options)
    {
        var failures = new List<string>();
        if (options.Host.Length > 0 && !string.Equals(options.Host, "localhost", StringComparison.OrdinalIgnoreCase) && !IPAddress.TryParse(options.Host, out _))
        {
            failures.Add("WEBSOCKET_HOST: must be an IP address (0.0.0.0 for every interface) or localhost");
        }

        if (options.Port is < 0 or > 65535)
        {
            failures.Add("WEBSOCKET_PORT: must be between 1 and 65535");
        }

        if (options.KeyFile.Length > 0 && options.CertificateFile.Length == 0)
        {
            failures.Add("SSL_CERT_FILE: required with SSL_KEY_FILE (the PEM certificate for the key)");
        }

        if (options.TlsEnabled && ServerCertificate.TryLoad(options.CertificateFile, options.KeyFile, out var error) is null)
        {
            failures.Add($"SSL_CERT_FILE/SSL_KEY_FILE: cannot load the certificate and key: {error}");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
