using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;

namespace EmailMonitor.Cluster;

internal sealed class ClusterOptionsValidator : IValidateOptions<ClusterOptions>
{
    public const int MaxInstanceIdLength = 64;

    public ValidateOptionsResult Validate(string? name, ClusterOptions options)
    {
        var failures = new List<string>();
        if (options.RedisUrl.Length > 0)
        {
            failures.AddRange(RedisProblems(options.RedisUrl));
        }

        if (options.InstanceId.Length > MaxInstanceIdLength || options.InstanceId.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
        {
            failures.Add($"INSTANCE_ID: 1 to {MaxInstanceIdLength} letters, digits, '-', '_' or '.' (empty = host name and process id)");
        }

        if (options.LeaseRenewal <= TimeSpan.Zero || options.LeaseDuration < 2 * options.LeaseRenewal)
        {
            failures.Add("Cluster:LeaseDuration: must be at least twice Cluster:LeaseRenewal, so a lease is renewed before it runs out");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    // A method of its own: the parsed form holds the Redis client's options, and this keeps the
    // Redis client from loading where no REDIS_URL is set.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static IReadOnlyList<string> RedisProblems(string url) => RedisUrl.Parse(url).Problems;
}
