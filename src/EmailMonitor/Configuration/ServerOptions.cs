using System.Net;

namespace EmailMonitor.Configuration;

/// <summary>Where the HTTP and WebSocket server listens (<c>WEBSOCKET_HOST</c>, <c>WEBSOCKET_PORT</c>).</summary>
internal sealed class ServerOptions
{
    public const string Section = "Server";

    /// <summary>An IP address or <c>localhost</c>; empty means localhost in development, else every interface.</summary>
    public string Host { get; set; } = string.Empty;

    /// <summary>0 lets the system choose a free port (used by tests).</summary>
    public int Port { get; set; }

    public void Listen(Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions kestrel, bool isDevelopment)
    {
        var host = Host.Length > 0 ? Host : isDevelopment ? "localhost" : "0.0.0.0";
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) && Port is >= 0 and <= 65535)
        {
            // With port 0 each loopback listener would get its own port; IPv4 keeps one address.
            kestrel.Listen(IPAddress.Loopback, Port);
            if (Port != 0)
            {
                kestrel.Listen(IPAddress.IPv6Loopback, Port);
            }
        }
        else if (IPAddress.TryParse(host, out var address) && Port is >= 0 and <= 65535)
        {
            kestrel.Listen(address, Port);
        }
    }
}
