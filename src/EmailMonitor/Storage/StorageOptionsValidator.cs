using Microsoft.Extensions.Options;

namespace EmailMonitor.Storage;

internal sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            failures.Add("DATA_DIR: required (a directory for the database)");
        }

        if (options.RetentionAge < TimeSpan.Zero || options.RetentionAge > TimeSpan.FromDays(36500))
        {
            failures.Add("RETENTION_DAYS: must be between 0 (keep events forever) and 36500");
        }

        if (options.RetentionMaxEvents is < 0 or > 1_000_000_000_000)
        {
            failures.Add("RETENTION_MAX_EVENTS: must be between 0 (no limit) and 1000000000000");
        }

        if (options.RetentionInterval < TimeSpan.FromSeconds(1))
        {
            failures.Add("Storage:RetentionInterval: must be at least one second");
        }

        if (!string.IsNullOrEmpty(options.DatabaseUrl))
        {
            failures.AddRange(Postgres.PostgresUrl.Parse(options.DatabaseUrl).Problems);
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
