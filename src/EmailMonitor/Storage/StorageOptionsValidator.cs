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

        if (!string.IsNullOrEmpty(options.DatabaseUrl))
        {
            failures.Add("DATABASE_URL: PostgreSQL is not supported by this version; leave it empty to use SQLite in DATA_DIR");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
