using Microsoft.Extensions.Options;

namespace EmailMonitor.PluginHost;

internal sealed class PluginOptionsValidator : IValidateOptions<PluginOptions>
{
    public ValidateOptionsResult Validate(string? name, PluginOptions options)
    {
        var failures = new List<string>();
        if (options.Directory.Length > 0 && !Directory.Exists(options.Directory))
        {
            failures.Add($"PLUGIN_DIR: '{options.Directory}' is not a directory (one subdirectory per plugin, holding <name>.dll; empty = no plugins)");
        }

        if (options.TimeoutMilliseconds is < 10 or > 60_000)
        {
            failures.Add("PLUGIN_TIMEOUT_MS: must be between 10 and 60000 milliseconds");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
