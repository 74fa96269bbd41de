using Microsoft.Extensions.Options;

namespace EmailMonitor.Realtime;

internal sealed class RealtimeOptionsValidator : IValidateOptions<RealtimeOptions>
{
    public ValidateOptionsResult Validate(string? name, RealtimeOptions options)
    {
        var failures = new List<string>();
        if (options.MaxConnections is < 1 or > 100_000)
        {
            failures.Add("MAX_CONNECTIONS: must be between 1 and 100000");
        }

        if (options.MaxConnectionsPerIp < 1 || options.MaxConnectionsPerIp > options.MaxConnections)
        {
            failures.Add("MAX_CONNECTIONS_PER_IP: must be between 1 and MAX_CONNECTIONS");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
