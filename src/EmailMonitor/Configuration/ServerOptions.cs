using System.Net;
using Microsoft.Extensions.Options;

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

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
