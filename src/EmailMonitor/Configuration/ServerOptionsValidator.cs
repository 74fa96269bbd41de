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

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
