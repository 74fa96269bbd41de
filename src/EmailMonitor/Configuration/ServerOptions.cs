using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace EmailMonitor.Configuration;

/// <summary>Where the HTTP and WebSocket server listens (<c>WEBSOCKET_HOST</c>, <c>WEBSOCKET_PORT</c>).</summary>
internal sealed class ServerOptions
{
    public const string Section = "Server";

    /// <summary>Larger HTTP request bodies are refused with 413.</summary>
    public const long MaxRequestBodyBytes = 64 * 1024;

    /// <summary>An IP address or <c>localhost</c>; empty means localhost in development, else every interface.</summary>
    public string Host { get; set; } = string.Empty;

    /// <summary>0 lets the system choose a free port (used by tests).</summary>
    public int Port { get; set; }

    /// <summary>PEM certificate (chain) to serve HTTPS/WSS with, together with <see cref="KeyFile"/>.</summary>
    public string CertificateFile { get; set; } = string.Empty;

    public string KeyFile { get; set; } = string.Empty;

    /// <summary>How often the certificate files are checked for a renewal (they are reloaded without a restart).</summary>
    public TimeSpan CertificateReloadInterval { get; set; } = TimeSpan.FromSeconds(30);

    public bool TlsEnabled => CertificateFile.Length > 0 && KeyFile.Length > 0;

    // secure: applied to each endpoint, to serve only HTTPS/WSS when TLS is on.
    public void Listen(KestrelServerOptions kestrel, bool isDevelopment, Action<ListenOptions> secure)
    {
        var host = Host.Length > 0 ? Host : isDevelopment ? "localhost" : "0.0.0.0";
        Action<ListenOptions> configure = TlsEnabled ? secure : _ => { };
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) && Port is >= 0 and <= 65535)
        {
            // With port 0 each loopback listener would get its own port; IPv4 keeps one address.
            kestrel.Listen(IPAddress.Loopback, Port, configure);
            if (Port != 0)
            {
                kestrel.Listen(IPAddress.IPv6Loopback, Port, configure);
            }
        }
        else if (IPAddress.TryParse(host, out var address) && Port is >= 0 and <= 65535)
        {
            kestrel.Listen(address, Port, configure);
        }
    }
}
