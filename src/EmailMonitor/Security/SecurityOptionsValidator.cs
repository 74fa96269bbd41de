using Microsoft.Extensions.Options;

namespace EmailMonitor.Security;

internal sealed class SecurityOptionsValidator : IValidateOptions<SecurityOptions>
{
    public ValidateOptionsResult Validate(string? name, SecurityOptions options)
    {
        var failures = new List<string>();
        if (options.RateLimitRequests is < 1 or > 1_000_000)
        {
            failures.Add("RATE_LIMIT_REQUESTS: must be between 1 and 1000000");
        }

        if (options.RateLimitWindow < TimeSpan.FromSeconds(1) || options.RateLimitWindow > TimeSpan.FromDays(1))
        {
            failures.Add("RATE_LIMIT_WINDOW: must be between 1 and 86400 seconds");
        }

        if (options.TrustedProxyHops is < 1 or > 10)
        {
            failures.Add("TRUSTED_PROXY_HOPS: must be between 1 and 10");
        }

        if (options.AutoBlockThreshold is < 1 or > 1_000_000)
        {
            failures.Add("AUTO_BLOCK_THRESHOLD: must be between 1 and 1000000");
        }

        if (options.AutoBlockDuration < TimeSpan.FromSeconds(1) || options.AutoBlockDuration > TimeSpan.FromDays(365))
        {
            failures.Add("AUTO_BLOCK_DURATION: must be between 1 second and 365 days");
        }

        if (options.AutoBlockWindow < TimeSpan.FromSeconds(1) || options.AutoBlockWindow > TimeSpan.FromDays(7))
        {
            failures.Add("AUTO_BLOCK_WINDOW: must be between 1 second and 7 days");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
