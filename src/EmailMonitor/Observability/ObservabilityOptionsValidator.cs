using Microsoft.Extensions.Options;

namespace EmailMonitor.Observability;

internal sealed class ObservabilityOptionsValidator : IValidateOptions<ObservabilityOptions>
{
    public ValidateOptionsResult Validate(string? name, ObservabilityOptions options) =>
        string.IsNullOrWhiteSpace(options.LogDirectory)
            ? ValidateOptionsResult.Fail("LOG_DIR: required (a directory for email_monitor.log and security.log)")
            : ValidateOptionsResult.Success;
}
